"""``jupyter cs3-config``: what the Jupyter server does with cs3_jupyter's settings, no secrets.

The most common deployment question is "did my single-user server pick up the settings?".
Run where the server runs (a terminal in JupyterLab, ``kubectl exec`` into the pod):

* by default the command asks each Jupyter server running in this environment (found the way
  ``jupyter server list`` finds them) for its own answer, ``GET /cs3/api/config``, and whether
  it can sign in to its site now (``GET /cs3/api/whoami``);
* with ``--local``, or when no server runs, it works out what a server started here would use
  by running the server's start-up steps that decide it (load the config files, find and link
  the extensions) without starting a server. Useful after editing the configuration.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any
from urllib.parse import urljoin

import requests

from .config_report import EXTENSION, server_report

#: The server's own deadline for a site is longer; this is enough to tell an admin "no answer".
LOGIN_TIMEOUT = 30


class _Collect(logging.Handler):
    """Keeps the server's warnings about our extension, to explain why it did not load."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith(f"{EXTENSION} |"):
            self.messages.append(message)


def local_report() -> dict[str, Any]:
    """Load the configuration as ``jupyter server`` / ``jupyterhub-singleuser`` would."""
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
    source = "configuration files and environment here (no server started)"
    return {"source": source, **server_report(server, collected.messages)}


def running_reports() -> list[dict[str, Any]]:
    """Each running server's own report, or why it could not be had."""
    from jupyter_server.serverapp import list_running_servers

    return [_ask(info) for info in list_running_servers()]


def _ask(info: dict[str, Any]) -> dict[str, Any]:
    url = info["url"] if info["url"].endswith("/") else info["url"] + "/"
    source = f"running server {url} (pid {info.get('pid')})"
    # A hub's single-user server accepts the API token the hub gave it, which its terminals see.
    token = info.get("token") or os.environ.get("JUPYTERHUB_API_TOKEN", "")
    try:
        response = requests.get(
            urljoin(url, "cs3/api/config"),
            headers={"Authorization": f"token {token}"} if token else {},
            timeout=30,
        )
    except requests.RequestException as exc:
        return {"source": source, "error": f"cannot reach it ({type(exc).__name__})"}
    if response.status_code == 404:
        return {"source": source, "error": "it does not serve cs3_jupyter (extension not loaded)"}
    if response.status_code in (401, 403):
        return {"source": source, "error": "not allowed to ask it; use --local"}
    if response.status_code != 200:
        return {"source": source, "error": f"it answered HTTP {response.status_code}"}
    return {"source": source, **response.json(), "site_login": _login(url, token)}


def _login(url: str, token: str) -> dict[str, Any]:
    """Whether the server can sign in to its site now (``GET /cs3/api/whoami``).

    Settings that look right can still carry a wrong or expired password or token; the server's
    own attempt, with its own credential, is the only check that says so (the credential never
    leaves it: its error messages name the user, not the secret).
    """
    try:
        response = requests.get(
            urljoin(url, "cs3/api/whoami"),
            headers={"Authorization": f"token {token}"} if token else {},
            timeout=LOGIN_TIMEOUT,
        )
    except requests.RequestException as exc:
        return {"ok": False, "error": f"no answer from the server ({type(exc).__name__})"}
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 and isinstance(body, dict):
        return {"ok": True, "federated_id": str(body.get("federated_id", ""))}
    message = body.get("message") if isinstance(body, dict) else None
    return {"ok": False, "error": str(message or f"it answered HTTP {response.status_code}")}


def _login_row(login: dict[str, Any] | None) -> list[tuple[str, str]]:
    if login is None:
        return []
    if login["ok"]:
        return [("site login", f"works ({login['federated_id']})")]
    return [("site login", f"FAILS: {login['error']}")]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def render(report: dict[str, Any]) -> str:
    """One report as aligned ``name  value`` lines for a terminal."""
    if "error" in report:
        rows = [("source", report["source"]), ("error", report["error"])]
    else:
        rows = _rows(report)
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)


def _rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    site = report["site"]
    credential = site["credential_source"]
    if credential == "token_file":
        credential += f" ({site['token_file']}: {site['token_file_state']})"
    return [
        ("source", report["source"]),
        ("extension enabled", _yes(report["extension_enabled"])),
        ("extension loaded", _yes(report["extension_loaded"])),
        *(("problem", message) for message in report["problems"]),
        ("contents manager", report["contents_manager"]),
        ("EFSS is the file system", _yes(report["contents_manager_active"])),
        ("site url", site["url"] or "(not set)"),
        ("user", site["user"] or "(not set)"),
        ("credential source", credential),
        *_login_row(report.get("site_login")),
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="jupyter cs3-config",
        description="Print what the Jupyter servers running here (or, with --local, a server "
        "started here) do with the cs3_jupyter settings. Secrets are never printed: only "
        "which credential is used.",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of reports")
    parser.add_argument(
        "--local", action="store_true", help="do not ask running servers; read the config here"
    )
    args = parser.parse_args(argv)
    reports = [] if args.local else running_reports()
    if not reports:
        reports = [local_report()]
    if args.json:
        print(json.dumps(reports, indent=2))
    else:
        print("\n\n".join(render(report) for report in reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
