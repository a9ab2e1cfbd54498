"""Modules that add protocols to every site (OCS, OCM, ScienceMesh, the directory).

Each entry is ``"module:function"``; the function is called as ``install(site, sites)`` once
per site, after every site's URL is known and before any request is served. ``sites`` is the
whole mesh, in order ("a", "b", ...), so a module can reach its peers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .site import Site

PLUGINS: list[str] = ["cs3_localmesh.sharing_side:install"]


def load(names: list[str] | None = None) -> list[Callable[[Site, list[Site]], None]]:
    installers = []
    for name in PLUGINS if names is None else names:
        module, _, function = name.partition(":")
        installers.append(getattr(importlib.import_module(module), function))
    return installers
