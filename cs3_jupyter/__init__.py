"""cs3_jupyter: Jupyter on your EFSS (Nextcloud, ownCloud, oCIS, CERNBox) and the ScienceMesh.

The package has three layers and dependencies only point down:

* protocol clients with no Jupyter imports: :mod:`cs3_jupyter.dav`, :mod:`cs3_jupyter.sharing`;
* Jupyter adapters: :mod:`cs3_jupyter.contents` (the contents manager) and
  :mod:`cs3_jupyter.handlers` (our REST namespace), wired by :mod:`cs3_jupyter.app`.

The EFSS sites that the demo, the tests and Binder run against are a separate distribution
(``cs3_localmesh``, in ``localmesh/``), never imported from here.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["CS3ContentsManager", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that `import cs3_jupyter` (done by every `jupyter` command that
    # lists extensions) stays cheap and does not pull in the whole server stack.
    if name == "CS3ContentsManager":
        from .contents.manager import CS3ContentsManager

        return CS3ContentsManager
    raise AttributeError(name)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-sciencemesh"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import CS3JupyterApp

    return [{"module": "cs3_jupyter.app", "app": CS3JupyterApp}]
