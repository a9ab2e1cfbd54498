"""No password, token, link-password hash or OCM shared secret ever reaches a response body or
a Jupyter server's log.

The test makes the secrets exist (a federated share has a shared secret on both sites, a
link has a password), exercises every sharing route, then reads the secrets straight from
the sites' databases and searches every body the test servers ever sent and every log line
they wrote (this session's other tests included).
"""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path
from typing import Any


def site_secrets(mesh: Any) -> list[str]:
    """OCM shared secrets (both ends) and link-password hashes, read from the sites' SQLite."""
    found: list[str] = []
    queries = {
        "a": "SELECT token FROM shares WHERE share_type = 6 "
        "UNION SELECT password_hash FROM shares WHERE password_hash IS NOT NULL",
        "b": "SELECT share_token FROM remote_shares",
    }
    for site, query in queries.items():
        db = Path(mesh.data_dir) / site / "site.sqlite3"
        assert db.exists(), db
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            found += [row[0] for row in conn.execute(query) if row[0]]
    return found


def test_no_secret_in_any_response_or_log(mesh: Any, people: Any) -> None:
    alice, bob = people.alice, people.bob
    folder = f"secret-{secrets.token_hex(3)}"
    assert alice.request("PUT", f"api/contents/{folder}", json={"type": "directory"}).ok
    password = f"pw-{secrets.token_hex(8)}"
    alice.secrets.append(password)
    link = alice.ok(
        "POST",
        "/shares",
        201,
        json={"path": folder, "type": "link", "permission": "view", "password": password},
    )
    alice.ok("PATCH", f"/shares/{link['id']}", json={"password": password + "-2"})
    alice.secrets.append(password + "-2")
    bob_id = f"{people.infos['bob'].user}@{people.b_host}"
    alice.ok(
        "POST",
        "/shares",
        201,
        json={"path": folder, "type": "federated", "recipient": bob_id, "permission": "edit"},
    )
    (pending,) = [r for r in bob.ok("GET", "/received") if r["name"] == folder]
    bob.ok("POST", f"/received/{pending['id']}/accept")
    for server in (alice, bob):
        for path in ("/shares", "/received", "/contacts", "/whoami", "/mesh/sites"):
            server.ok("GET", path)
        server.ok("GET", "/recipients", params={"q": people.infos["bob"].user})
    alice.api("POST", "/invitations/accept", json={"token": password, "site": people.b_host})

    servers = [alice, bob, people.carol]
    leaks = site_secrets(mesh)
    assert len(leaks) >= 3, "the shares above must have created secrets to look for"
    for server in servers:
        leaks += server.secrets
    for info in people.infos.values():
        leaks += [s for s in (info.password, info.app_password, info.token) if s]
    leaks = [s for s in set(leaks) if len(s) >= 6]

    assert alice.bodies and bob.bodies, "no response was recorded"
    for server in servers:
        for body in server.bodies:
            assert not [s for s in leaks if s in body], body[:300]
        # Jupyter itself prints its own access token in its startup banner; everything else
        # (site passwords, link passwords, shared secrets) must never be logged.
        log = server.log.read_text()
        assert log
        assert not [s for s in leaks if s != server.token and s in log]
