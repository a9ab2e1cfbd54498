"""``cs3-localmesh serve``: N EFSS sites on 127.0.0.1 for the demo, the tests and Binder.

Prints each site's URL and the demo users' credentials, writes an optional ready file (JSON:
sites, admin token, directory URL) once everything listens, and stops cleanly on Ctrl-C or
SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import signal
import string
import sys
import threading
from pathlib import Path

from . import plugins
from .seed import seed
from .seed_sharing import seed_sharing
from .server import SiteServer
from .site import Site

#: Where the mesh directory document is served (by the first site; see docs/architecture.md).
DIRECTORY_PATH = "/mesh/directory.json"


def _parse_ports(value: str) -> list[int]:
    try:
        ports = [int(p) for p in value.split(",") if p.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("ports are comma-separated numbers") from None
    if any(not 0 <= p <= 65535 for p in ports):
        raise argparse.ArgumentTypeError("ports must be between 0 and 65535")
    return ports


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cs3-localmesh",
        description="Local EFSS sites (WebDAV, OCS, OCM, ScienceMesh) on 127.0.0.1.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the sites until interrupted")
    serve.add_argument("--sites", type=int, default=2, help="number of sites (named a, b, ...)")
    serve.add_argument("--data-dir", type=Path, required=True, help="state lives here")
    serve.add_argument(
        "--ports",
        type=_parse_ports,
        default=None,
        help="comma-separated ports, one per site (default: any free port)",
    )
    serve.add_argument(
        "--seed",
        choices=["demo", "minimal", "none"],
        default="none",
        help="demo users (and, for 'demo', sample files)",
    )
    serve.add_argument(
        "--ready-file",
        type=Path,
        default=None,
        help="write sites, URLs and the admin token here once serving",
    )
    serve.add_argument(
        "--parent-pid",
        type=int,
        default=None,
        help="stop when this process is gone (so a crashed test run leaves no sites behind)",
    )
    return parser


def serve(args: argparse.Namespace) -> int:
    if not 1 <= args.sites <= len(string.ascii_lowercase):
        print("--sites must be between 1 and 26", file=sys.stderr)
        return 2
    ports = args.ports or [0] * args.sites
    if len(ports) != args.sites:
        print("--ports must list one port per site", file=sys.stderr)
        return 2
    admin_token = secrets.token_urlsafe(24)
    sites = [Site(string.ascii_lowercase[i], args.data_dir, admin_token) for i in range(args.sites)]
    try:
        servers = [SiteServer(site, port) for site, port in zip(sites, ports, strict=True)]
    except OSError as exc:
        print(f"cannot listen: {exc.strerror}", file=sys.stderr)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.parent_pid:
        threading.Thread(target=_watch_parent, args=(args.parent_pid, stop), daemon=True).start()
    try:
        for install in plugins.load():
            for site in sites:
                install(site, sites)
        credentials = seed(sites, None if args.seed == "none" else args.seed)
        for server in servers:
            server.start()
        if args.seed == "demo":
            seed_sharing(sites)  # shares travel over HTTP, so only once the sites serve
        for site in sites:
            print(f"site {site.name}: {site.url}  (WebDAV {site.url}/remote.php/dav/files/<user>/)")
        for site_name, user, password in credentials:
            print(f"  user {user}@{site_name}  password {password}")
        if args.ready_file:
            _write_ready(args.ready_file, sites, admin_token)
        print("Ctrl-C stops the mesh.", flush=True)
        stop.wait()
    finally:  # also when start-up fails half-way: never leave a process serving nothing
        for server in servers:
            server.stop()
        for site in sites:
            site.db.close()
    return 0


def _watch_parent(pid: int, stop: threading.Event) -> None:
    """Set ``stop`` once ``pid`` is no longer our parent (it exited and we were re-parented)."""
    while not stop.wait(1.0):
        if os.getppid() != pid:
            stop.set()


def _write_ready(path: Path, sites: list[Site], admin_token: str) -> None:
    """Atomically, so a reader never sees half a file."""
    document = {
        "pid": os.getpid(),
        "sites": [{"name": s.name, "url": s.url} for s in sites],
        "admin_token": admin_token,
        "directory_url": sites[0].url + DIRECTORY_PATH,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    return serve(args)
