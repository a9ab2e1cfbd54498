"""A restart of the mesh keeps every share, received share, invitation and contact.

The sites come back on the same ports, as a real deployment keeps its host name: received
federated shares remember the sender's URL.
"""

from __future__ import annotations

import socket

import requests
from cs3_localmesh.mesh import Mesh
from sharing_client import SHARING, Client, cloud_id


def _free_ports(count: int) -> list[int]:
    """Ports the OS says are free now. Passing explicit ports (not 0) makes the sites bind
    with SO_REUSEADDR, so the restart can rebind while old connections sit in TIME_WAIT."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def test_restart_keeps_shares_invitations_and_contacts(tmp_path):
    ports = _free_ports(2)
    first = Mesh(tmp_path, n_sites=2, ports=ports, seed=None).start()
    try:
        alice_info = first.add_user("a", "alice", password="alice-pw")
        carol_info = first.add_user("a", "carol", password="carol-pw")
        bob_info = first.add_user("b", "bob", password="bob-pw")
        a_url, b_url = first.site("a").url, first.site("b").url
        alice, bob = Client(a_url, alice_info), Client(b_url, bob_info)
        alice.mkdir("proj")
        alice.put("proj/data.csv", b"x,y\n1,2\n")
        federated = alice.share("/proj", 6, cloud_id(bob_info, b_url)).data
        bob.accept_remote(bob.pending_remote()[0]["id"])
        local = alice.share("/proj", 0, "carol").data
        link = alice.share("/proj", 3, password="link-pw-long-enough").data
        invite = alice.sciencemesh("POST", "generate-invite").json()
        accepted = bob.sciencemesh(
            "POST",
            "accept-invite",
            json={"token": invite["token"], "providerDomain": first.site("a").host},
        )
        assert accepted.status_code == 200
        before = alice.ocs("GET", SHARING + "/shares").data
    finally:
        first.stop()

    second = Mesh(tmp_path, n_sites=2, ports=ports, seed=None).start()
    try:
        alice, bob = Client(a_url, alice_info), Client(b_url, bob_info)
        carol = Client(a_url, carol_info)
        after = alice.ocs("GET", SHARING + "/shares").data
        assert after == before
        assert {s["id"] for s in after} == {federated["id"], local["id"], link["id"]}
        received = bob.ocs("GET", SHARING + "/remote_shares").data
        assert [(r["mountpoint"], r["owner"]) for r in received] == [("/proj", "alice")]
        assert bob.dav("GET", "proj/data.csv").content == b"x,y\n1,2\n"
        assert carol.dav("GET", "proj/data.csv").content == b"x,y\n1,2\n"
        public = requests.get(
            f"{a_url}/public.php/webdav/data.csv",
            auth=(link["token"], "link-pw-long-enough"),
            timeout=30,
        )
        assert public.content == b"x,y\n1,2\n"
        assert [i["token"] for i in alice.sciencemesh("GET", "list-invite").json()] == [
            invite["token"]
        ]
        assert [c["user_id"] for c in bob.sciencemesh("GET", "find-accepted-users").json()] == [
            "alice"
        ]
        assert [c["user_id"] for c in alice.sciencemesh("GET", "find-accepted-users").json()] == [
            "bob"
        ]
    finally:
        second.stop()
