"""What a Jupyter server does with cs3_jupyter's settings, as a secret-free report.

One function builds the report from a ``ServerApp`` whose extensions are linked, so the running
server (``GET /cs3/api/config``) and the ``jupyter cs3-config`` command, which links a server
without starting it, describe a deployment the same way.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .config import ENV_VARS, SECRET_TRAITS, CS3Site

EXTENSION = "cs3_jupyter"


def server_report(serverapp: Any, log_problems: Iterable[str] = ()) -> dict[str, Any]:
    """The extension's state, the contents manager and the site settings of ``serverapp``.

    ``log_problems`` are the server's warnings about the extension (why it did not load); any
    secret in them is masked. No value in the report is a secret.
    """
    manager = serverapp.extension_manager
    apps = manager.extension_apps.get(EXTENSION, set())
    site = CS3Site(config=next(iter(apps)).config if apps else serverapp.config)
    secrets = [getattr(site, name) for name in SECRET_TRAITS if getattr(site, name)]
    contents = serverapp.contents_manager_class
    return {
        "extension_enabled": bool(serverapp.jpserver_extensions.get(EXTENSION)),
        "extension_loaded": bool(manager.linked_extensions.get(EXTENSION)),
        "problems": [_redact(message, secrets) for message in log_problems]
        + ignored_fragments(serverapp.config_file_paths),
        "contents_manager": f"{contents.__module__}.{contents.__qualname__}",
        "contents_manager_active": contents.__module__.startswith(f"{EXTENSION}."),
        "site": site_settings(site),
        "environment": sorted(var for var in ENV_VARS.values() if var in os.environ),
        "config_files": list(serverapp.loaded_config_files),
        "config_path": list(serverapp.config_file_paths),
    }


def site_settings(site: CS3Site) -> dict[str, Any]:
    """``site.describe()`` with URLs stripped of userinfo and the token file's state."""
    settings = site.describe()
    for name in ("url", "mesh_directory_url"):
        settings[name] = strip_userinfo(settings[name])
    settings["mesh_sites"] = [strip_userinfo(url) for url in settings["mesh_sites"]]
    settings["token_file_state"] = token_file_state(site.token_file)
    return settings


def strip_userinfo(url: str) -> str:
    """Mask ``user:password@`` in a URL: a credential has no business in a site URL."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))


def token_file_state(path: str) -> str:
    """``missing``, ``not readable``, ``empty`` or ``readable``; never the token."""
    if not path:
        return ""
    if not os.path.exists(path):
        return "missing"
    if not os.access(path, os.R_OK):
        return "not readable"
    return "readable" if os.path.getsize(path) else "empty"


def ignored_fragments(config_path: Iterable[str]) -> list[str]:
    """``jupyter_server_config.d`` files that try to set our traits.

    Jupyter Server reads only ``jpserver_extensions`` from those fragments; any other setting in
    them is silently ignored, a classic reason for "my JSON config does nothing".
    """
    found = []
    for folder in config_path:
        fragments = os.path.join(folder, "jupyter_server_config.d")
        if not os.path.isdir(fragments):
            continue
        for name in sorted(os.listdir(fragments)):
            path = os.path.join(fragments, name)
            if not name.endswith(".json"):
                continue
            try:
                with open(path, encoding="utf-8") as fragment:
                    content = json.load(fragment)
            except (OSError, ValueError):
                continue
            if isinstance(content, dict) and {"CS3Site", "CS3JupyterApp"} & content.keys():
                found.append(
                    f"{path} sets CS3Site/CS3JupyterApp, which Jupyter Server ignores in "
                    "jupyter_server_config.d: move it to jupyter_server_config.json"
                )
    return found


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
