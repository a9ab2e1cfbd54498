"""``jupyter cs3-config``: what a Jupyter server started here would use, without any secret.

The most common deployment question is "did my single-user server pick up the settings?". This
command answers it by running the server's own start-up steps that decide it (load the config
files, find and link the extensions) without starting a server, then printing the extension's
state, the contents manager and the site settings. Run it where the server runs (a terminal in
JupyterLab, or ``kubectl exec`` into the pod): it sees the same files and environment.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .config import ENV_VARS, SECRET_TRAITS, CS3Site

EXTENSION = "cs3_jupyter"


def _strip_userinfo(url: str) -> str:
    """Drop ``user:password@`` from a URL: a credential has no business in a site URL."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))


def _token_file_state(path: str) -> str:
    if not path:
        return ""
    if not os.path.exists(path):
        return "missing"
    if not os.access(path, os.R_OK):
        return "not readable"
    return "readable" if os.path.getsize(path) else "empty"


class _Collect(logging.Handler):
    """Keeps the server's warnings about our extension, to explain why it did not load."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith(f"{EXTENSION} |"):
            self.messages.append(message)


def effective_config() -> dict[str, Any]:
    """Load the server configuration as ``jupyter server`` / ``jupyterhub-singleuser`` would."""
    from jupyter_server.serverapp import ServerApp

    server = ServerApp()
    # The server's own log lines (tracebacks included) would bury the report: keep only ours.
    for handler in list(server.log.handlers):
        server.log.removeHandler(handler)
    server.log.setLevel(logging.WARNING)
    server.log.propagate = False
    collected = _Collect()
    server.log.addHandler(collected)
    server.load_config_file()
    server.find_server_extensions()
    server.init_server_extensions()

    enabled = bool(server.jpserver_extensions.get(EXTENSION))
    linked = bool(server.extension_manager.linked_extensions.get(EXTENSION))
    apps = server.extension_manager.extension_apps.get(EXTENSION, set())
    config = next(iter(apps)).config if apps else server.config
    site = CS3Site(config=config)
    manager = server.contents_manager_class
    settings = site.describe()
    for name in ("url", "mesh_directory_url"):
        settings[name] = _strip_userinfo(settings[name])
    settings["mesh_sites"] = [_strip_userinfo(url) for url in settings["mesh_sites"]]
    settings["token_file_state"] = _token_file_state(site.token_file)

    secrets = [getattr(site, name) for name in SECRET_TRAITS if getattr(site, name)]
    problems = [_redact(message, secrets) for message in collected.messages]
    problems += _ignored_fragments(server.config_file_paths)
    return {
        "extension_enabled": enabled,
        "extension_loaded": linked,
        "problems": problems,
        "contents_manager": f"{manager.__module__}.{manager.__qualname__}",
        "contents_manager_active": manager.__module__.startswith(f"{EXTENSION}."),
        "site": settings,
        "environment": sorted(var for var in ENV_VARS.values() if var in os.environ),
        "config_files": server.loaded_config_files,
        "config_path": server.config_file_paths,
    }


def _ignored_fragments(config_path: list[str]) -> list[str]:
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


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def render(report: dict[str, Any]) -> str:
    """The report as aligned ``name  value`` lines for a terminal."""
    site = report["site"]
    credential = site["credential_source"]
    if credential == "token_file":
        credential += f" ({site['token_file']}: {site['token_file_state']})"
    rows = [
        ("extension enabled", _yes(report["extension_enabled"])),
        ("extension loaded", _yes(report["extension_loaded"])),
        *(("problem", message) for message in report["problems"]),
        ("contents manager", report["contents_manager"]),
        ("EFSS is the file system", _yes(report["contents_manager_active"])),
        ("site url", site["url"] or "(not set)"),
        ("user", site["user"] or "(not set)"),
        ("credential source", credential),
        ("webdav root", site["webdav_root"]),
        ("verify tls", _yes(site["verify_tls"])),
        ("ca bundle", site["ca_bundle"] or "(system default)"),
        ("timeout", f"{site['timeout']:g} s"),
        ("mesh directory", site["mesh_directory_url"] or "(not set)"),
        ("mesh sites", ", ".join(site["mesh_sites"]) or "(none)"),
        ("CS3_* variables set", ", ".join(report["environment"]) or "(none)"),
        ("config files loaded", ", ".join(report["config_files"]) or "(none)"),
        ("config path", ", ".join(report["config_path"])),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="jupyter cs3-config",
        description="Print the cs3_jupyter configuration a Jupyter server started here would "
        "use. Secrets are never printed: only which credential is used.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    report = effective_config()
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
