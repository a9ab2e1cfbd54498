"""Putting our kernel manager and websocket connection into a server, during the link step."""

from __future__ import annotations

import logging
from typing import Any

from jupyter_server.gateway.gateway_client import GatewayClient


def use_cs3_kernels(serverapp: Any, log: logging.Logger) -> None:
    """Choose ``CS3KernelManager`` and ``SyncingKernelConnection`` unless the admin chose others.

    The link step runs before the server builds its kernel manager, so JSON-only config
    works. A kernel manager or connection class set in config is respected (a gateway, an
    enterprise manager): then kernels get no working copy, and the log says so.
    """
    from .connection import SyncingKernelConnection
    from .manager import CS3KernelManager

    configured = serverapp.config.get("ServerApp", {})
    chosen = [
        name
        for name in ("kernel_manager_class", "kernel_websocket_connection_class")
        if name in configured
    ]
    if chosen or GatewayClient.instance(parent=serverapp).gateway_enabled:
        log.warning(
            "cs3_jupyter: kernels keep the configured %s (or a gateway), so they get no EFSS "
            "working copy and inherit the server's environment; see docs/kernels.md.",
            " and ".join(chosen) or "kernel manager",
        )
        return
    serverapp.kernel_manager_class = CS3KernelManager
    serverapp.kernel_websocket_connection_class = SyncingKernelConnection
