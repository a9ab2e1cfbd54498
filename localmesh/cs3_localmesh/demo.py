"""The one start logic of ``make demo`` and Binder: a local mesh, then Jupyter logged in to it.

``python -m cs3_localmesh.demo [command ...]`` starts the local mesh with its demo users and files
(kept under the user's home across runs), prints the sites and accounts, and runs the command
(default ``jupyter lab``) as the first demo user: alice at site ``a``, set through the ``CS3_*``
environment variables any deployment uses. When the command ends, or on Ctrl-C / SIGTERM, the
mesh is stopped cleanly. ``binder/start`` execs this module, so the two cannot drift apart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from cs3_jupyter.config import ENV_VARS

from .mesh import Mesh, MeshError, SiteInfo
from .seed import DEMO_USERS

#: JupyterLab of this Python environment (``make demo`` does not activate the venv);
#: ``answer_yes``: one Ctrl-C stops JupyterLab (and then the mesh) without a y/n prompt;
#: root (a container's usual user) is allowed: the demo serves 127.0.0.1 only.
DEFAULT_COMMAND = [
    sys.executable,
    "-m",
    "jupyterlab",
    "--ServerApp.answer_yes=True",
    *(["--allow-root"] if os.geteuid() == 0 else []),
]
#: Stopping the demo from outside (Binder, systemd, a terminal) must reach the command.
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
#: Fixed ports, so links between the sites stored in the data dir still work after a restart.
DEFAULT_PORTS = (8781, 8782)


class DemoError(RuntimeError):
    """Something the person starting the demo can act on; printed without a traceback."""


def data_dir() -> Path:
    """``$CS3_DEMO_DIR``, else ``$XDG_DATA_HOME/cs3_jupyter/demo-mesh`` (``~/.local/share``)."""
    if os.environ.get("CS3_DEMO_DIR"):
        return Path(os.environ["CS3_DEMO_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "cs3_jupyter" / "demo-mesh"


def ports() -> list[int]:
    """``$CS3_DEMO_PORTS`` (comma-separated, 0 = any free port), else :data:`DEFAULT_PORTS`."""
    value = os.environ.get("CS3_DEMO_PORTS", "")
    if not value:
        return list(DEFAULT_PORTS)
    try:
        return [int(port) for port in value.split(",")]
    except ValueError:
        raise DemoError(
            f"CS3_DEMO_PORTS must be two port numbers, e.g. 8791,8792: {value!r}"
        ) from None


@dataclass(frozen=True)
class Account:
    site: SiteInfo
    user: str
    password: str


def demo_accounts(mesh: Mesh) -> list[Account]:
    """The seeded demo users, site by site; the first one is who Jupyter runs as.

    The local mesh's seed gives every demo user the public password ``<user>-pass``.
    """
    return [
        Account(site, user, f"{user}-pass")
        for site, users in zip(mesh.sites, DEMO_USERS, strict=False)
        for user in users
    ]


def check_login(account: Account) -> None:
    """Fail early, with a clear message, if the demo user cannot log in to its site."""
    try:
        response = requests.request(
            "PROPFIND",
            f"{account.site.url}/remote.php/dav/files/{account.user}/",
            auth=(account.user, account.password),
            headers={"Depth": "0"},
            timeout=30,
        )
    except requests.RequestException as exc:
        raise DemoError(
            f"site {account.site.name} does not answer ({type(exc).__name__})"
        ) from None
    if response.status_code != 207:
        raise DemoError(
            f"{account.user} cannot log in to site {account.site.name} "
            f"(HTTP {response.status_code}); the local mesh's demo seed may have changed"
        )


def server_environment(mesh: Mesh, account: Account) -> dict[str, str]:
    """This process's environment, with the ``CS3_*`` settings of ``account`` and no others."""
    env = {key: value for key, value in os.environ.items() if key not in ENV_VARS.values()}
    env.update(
        {
            ENV_VARS["url"]: account.site.url,
            ENV_VARS["user"]: account.user,
            ENV_VARS["password"]: account.password,
            ENV_VARS["mesh_directory_url"]: mesh.directory_url,
        }
    )
    return env


def banner(mesh: Mesh, accounts: list[Account], where: Path) -> str:
    lines = [f"Local ScienceMesh (data kept in {where}):"]
    for site in mesh.sites:
        users = ", ".join(f"{a.user} (password {a.password})" for a in accounts if a.site == site)
        lines.append(f"  site {site.name}  {site.url}  users: {users}")
    lines.append(f"  mesh directory  {mesh.directory_url}")
    first = accounts[0]
    lines.append(f"Jupyter runs as {first.user} at site {first.site.name}.")
    other = next((a for a in accounts if a.site != first.site), None)
    if other:
        lines.append(f"Share with someone at another site, e.g. {other.user}@{other.site.host}")
    return "\n".join(lines)


def run(command: list[str], env: dict[str, str]) -> int:
    """Run ``command`` until it ends; signals meant for us go to it. Its exit status."""
    children: list[subprocess.Popen[bytes]] = []

    # Without a terminal, an interrupt cannot be the start of a conversation (Jupyter asks
    # "Shut down?" at a prompt, and exits at once when it cannot, leaving its kernels and their
    # working copies behind): the command gets SIGTERM, the request to stop cleanly.
    interactive = sys.stdin is not None and sys.stdin.isatty()

    def forward(signum: int, _frame: object) -> None:
        if signum == signal.SIGINT and not interactive:
            signum = signal.SIGTERM
        for child in children:
            child.send_signal(signum)

    # Handlers first: a signal arriving while the command starts must not skip the mesh's stop.
    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED_SIGNALS}
    try:
        children.append(subprocess.Popen(command, env=env))
        status = children[0].wait()
    except FileNotFoundError:
        print(f"cs3 demo: command not found: {command[0]}", file=sys.stderr)
        return 127
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - status if status < 0 else status


USAGE = """\
usage: python -m cs3_localmesh.demo [command ...]

Start the local mesh (two EFSS sites on 127.0.0.1 with demo users and files), then run
`command` (default: JupyterLab) as alice at site a, with the CS3_* settings of a deployment.
Stopping the command stops the mesh.

environment:
  CS3_DEMO_DIR     where the sites keep their data (default ~/.local/share/cs3_jupyter/demo-mesh)
  CS3_DEMO_PORTS   the two sites' ports, e.g. 8791,8792 (0 = any free port; default 8781,8782)
"""


def main(argv: list[str] | None = None) -> int:
    command = list(sys.argv[1:] if argv is None else argv) or DEFAULT_COMMAND
    if command[0] in ("-h", "--help"):  # help, and nothing started
        print(USAGE, end="")
        return 0
    where = data_dir()
    try:
        mesh = Mesh(where, n_sites=2, ports=ports(), seed="demo")
        mesh.start()
    except DemoError as exc:
        print(f"cs3 demo: {exc}", file=sys.stderr)
        return 2
    except MeshError as exc:
        print(f"cs3 demo: the local mesh did not start ({where}):\n{exc}", file=sys.stderr)
        print("If a port is taken, choose others: CS3_DEMO_PORTS=8791,8792", file=sys.stderr)
        return 1
    try:
        accounts = demo_accounts(mesh)
        check_login(accounts[0])
        print(banner(mesh, accounts, where), flush=True)
        return run(command, server_environment(mesh, accounts[0]))
    except DemoError as exc:
        print(f"cs3 demo: {exc}", file=sys.stderr)
        return 1
    finally:
        mesh.stop()


if __name__ == "__main__":
    sys.exit(main())
