"""Demo sharing state, so the demo opens on a mesh that already has something to show.

After ``seed.py`` made the demo users, and once the sites serve (federated shares travel
over real HTTP), this gives alice at site a:
- her own project folder with a notebook and a small CSV dataset, shared with bob at b
  (accepted) and with carol at a (read-only);
- a folder from dave at b that she has accepted (mounted in her tree, read-only);
- a folder from bob at b still waiting for her answer (pending);
- bob as an accepted ScienceMesh contact (an invitation she made and he accepted).
It goes through the sites' public APIs with the demo passwords, exactly as a user would, and
runs only once per data directory (a restart finds alice's shares and does nothing).
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING, Any

import requests

from .seed import BIG_READINGS, DEMO_USERS, PROJECT_NOTEBOOKS, hourly_readings_csv

if TYPE_CHECKING:
    from .site import Site

SHARING = "/ocs/v2.php/apps/files_sharing/api/v1"


def _notebook(*cells: tuple[str, str]) -> bytes:
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
                | ({"execution_count": None, "outputs": []} if kind == "code" else {})
                for kind, source in cells
            ],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    ).encode()


def measurements_csv() -> bytes:
    """A small, deterministic dataset: daily readings at three stations."""
    rng = random.Random(7)
    rows = ["date,station,temperature_c,humidity_pct"]
    for day in range(1, 29):
        for station, base in (("Geneva", 8.0), ("Lisbon", 15.0), ("Oslo", 1.0)):
            temp = base + rng.uniform(-3, 3)
            rows.append(f"2026-02-{day:02d},{station},{temp:.1f},{rng.randint(40, 95)}")
    return ("\n".join(rows) + "\n").encode()


RESULTS = _notebook(
    ("markdown", "# Bob's results\nFitted parameters, for review."),
    ("code", "params = {'slope': 0.42, 'intercept': 1.7}\nparams"),
)
CLIMATE = _notebook(
    ("markdown", "# Climate data (read-only)\nDave shares these readings; copy before editing."),
)


class _User:
    """One demo user speaking OCS/ScienceMesh to their own site."""

    def __init__(self, site: Site, name: str) -> None:
        self.site = site
        self.name = name
        self.http = requests.Session()
        self.http.auth = (name, f"{name}-pass")
        self.http.headers["OCS-APIRequest"] = "true"

    def ocs(self, method: str, endpoint: str, **data: Any) -> Any:
        reply = self.http.request(
            method, f"{self.site.url}{SHARING}{endpoint}?format=json", data=data, timeout=30
        )
        reply.raise_for_status()
        return reply.json()["ocs"]["data"]

    def share_with(self, path: str, other: _User, **fields: Any) -> None:
        self.ocs(
            "POST",
            "/shares",
            path=path,
            shareType=6,
            shareWith=f"{other.name}@{other.site.url}",
            **fields,
        )

    def accept_all(self) -> None:
        for pending in self.ocs("GET", "/remote_shares/pending"):
            self.ocs("POST", f"/remote_shares/pending/{pending['id']}")

    def sciencemesh(self, action: str, payload: dict[str, str]) -> Any:
        reply = self.http.post(f"{self.site.url}/sciencemesh/{action}", json=payload, timeout=30)
        reply.raise_for_status()
        return reply.json() if reply.content else None


def seed_sharing(sites: list[Site]) -> None:
    """Create the demo shares and contacts (needs two sites and ``seed.py``'s demo users)."""
    if len(sites) < 2:
        return
    (first, second), ((alice_id, carol_id), (bob_id, dave_id)) = sites[:2], DEMO_USERS
    alice, bob, dave = _User(first, alice_id), _User(second, bob_id), _User(second, dave_id)
    if alice.ocs("GET", "/shares"):
        return  # seeded on an earlier run
    files_a, files_b = first.files, second.files
    files_a.mkdir(alice_id, "Project Mesh")
    files_a.mkdir(alice_id, "Project Mesh/data")
    for name, notebook in PROJECT_NOTEBOOKS.items():
        files_a.write_bytes(alice_id, f"Project Mesh/{name}", notebook)
    files_a.write_bytes(alice_id, f"Project Mesh/{BIG_READINGS}", hourly_readings_csv())
    files_a.write_bytes(alice_id, "Project Mesh/data/measurements.csv", measurements_csv())
    files_b.mkdir(bob_id, "Bob results")
    files_b.write_bytes(bob_id, "Bob results/results.ipynb", RESULTS)
    files_b.mkdir(dave_id, "Climate data")
    files_b.write_bytes(dave_id, "Climate data/README.ipynb", CLIMATE)
    files_b.write_bytes(dave_id, "Climate data/measurements.csv", measurements_csv())

    invite = alice.sciencemesh("generate-invite", {"description": "Project Mesh"})
    bob.sciencemesh("accept-invite", {"token": invite["token"], "providerDomain": first.host})

    alice.share_with("/Project Mesh", bob)
    bob.accept_all()
    alice.ocs(
        "POST", "/shares", path="/Project Mesh", shareType=0, shareWith=carol_id, permissions=1
    )
    dave.share_with("/Climate data", alice, permissions=1)
    alice.accept_all()
    bob.share_with("/Bob results", alice)  # left pending: the demo's first thing to accept
