"""A Jupyter server or JupyterLab subprocess for one mesh user, as a hub would start it.

On an ephemeral 127.0.0.1 port, with its own config, runtime and data directories (nothing
from the machine leaks in) and the ``CS3_*`` environment a spawner gives a single-user
server. The REST API tests (``tests/handlers``) and the browser tests (``tests/ui``) build
on it; its log goes to a file so tests can check that no secret was ever logged. The process
itself is started by the launcher the benchmarks use too (``benchmarks/jupyter.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.jupyter import JupyterProcess
from benchmarks.jupyter import launch as launch_jupyter

__all__ = ["JupyterProcess", "launch", "server_config"]


def server_config(**sections: dict[str, Any]) -> dict[str, Any]:
    """Config of a plain Jupyter server with only our extension (JupyterLab and its friends
    would double the start-up time), plus the given sections (``CS3JupyterApp={...}``...)."""
    return {
        "ServerApp": {
            "jpserver_extensions": {
                "cs3_jupyter": True,
                "jupyterlab": False,
                "jupyter_lsp": False,
                "notebook_shim": False,
                "jupyter_server_terminals": False,
            },
            "open_browser": False,
        },
        **sections,
    }


def launch(
    base: Path,
    *,
    app: str,
    config: dict[str, Any],
    token: str,
    site_url: str,
    user: str,
    password: str,
    directory_url: str,
    extra_env: dict[str, str] | None = None,
    extra_args: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Start ``python -m <app>`` (``jupyter_server`` or ``jupyterlab``) for a mesh user:
    the generic launcher with the ``CS3_*`` environment a spawner gives a single-user server.

    Returns the fields of a :class:`JupyterProcess` (token, log, process, info_file), so that
    subclasses with fields of their own can be built from it.
    """
    env = {
        "CS3_SITE_URL": site_url,
        "CS3_USER": user,
        "CS3_PASSWORD": password,
        "CS3_MESH_DIRECTORY_URL": directory_url,
        **(extra_env or {}),
    }
    return launch_jupyter(base, app=app, config=config, token=token, env=env, extra_args=extra_args)
