"""Injected faults make the sites fail the way real ones do; the request counter counts."""

from __future__ import annotations

import pytest
import requests
from cs3_localmesh.mesh import MeshError
from defusedxml import ElementTree
from localmesh_helpers import OC, D

SABRE = "{http://sabredav.org/ns}"


@pytest.fixture
def faults(mesh):
    """Clears site a's faults afterwards, whatever the test did."""
    yield mesh
    mesh.clear_faults("a")


def exception_of(response: requests.Response) -> str:
    return ElementTree.fromstring(response.content).findtext(f"{SABRE}exception")


def test_readonly_folder_drops_write_letters_and_refuses_writes(faults, new_user, dav):
    user = new_user()
    session = dav(user)
    session.mkcol("ro")
    session.put("ro/f.txt", b"keep")
    faults.set_fault("a", "readonly", user=user.user, path="ro")
    folder, child = session.propfind("ro")
    assert not set("CK") & set(folder.text(f"{{{OC}}}permissions"))
    assert not set("WD") & set(child.text(f"{{{OC}}}permissions"))
    assert session.put("ro/f.txt", b"changed").status_code == 403
    assert session.put("ro/new.txt").status_code == 403
    assert session.mkcol("ro/sub").status_code == 403
    assert session.request("DELETE", "ro/f.txt").status_code == 403
    assert session.move("ro/f.txt", "out.txt").status_code == 403
    forbidden = session.put("ro/f.txt", b"again")
    assert exception_of(forbidden) == "Sabre\\DAV\\Exception\\Forbidden"
    assert session.request("GET", "ro/f.txt").content == b"keep"
    assert session.put("elsewhere.txt").status_code == 201


def test_quota_refuses_uploads_that_do_not_fit_with_507(faults, new_user, dav):
    user = new_user()
    session = dav(user)
    session.put("small.txt", b"12345")
    faults.set_fault("a", "quota", user=user.user, bytes=10)
    home = session.stat("", [f"{{{D}}}quota-available-bytes"])
    assert home.text(f"{{{D}}}quota-available-bytes") == "5"
    declared = session.put("big.txt", b"x" * 6)
    assert declared.status_code == 507
    assert exception_of(declared) == "Sabre\\DAV\\Exception\\InsufficientStorage"
    streamed = session.put("big.txt", iter([b"x" * 4, b"x" * 4]))  # no Content-Length
    assert streamed.status_code == 507
    assert session.request("GET", "big.txt").status_code == 404
    assert session.put("small.txt", b"0123456789").status_code == 204  # replaces 5 bytes
    assert session.move("small.txt", "copy.txt", copy=True).status_code == 507


def test_status_fault_answers_every_matching_request(faults, new_user, dav):
    user = new_user()
    session = dav(user)
    faults.set_fault("a", "status", code=503, prefix=f"/remote.php/dav/files/{user.user}/")
    response = session.request("PROPFIND", "", headers={"Depth": "0"})
    assert response.status_code == 503
    assert exception_of(response) == "Sabre\\DAV\\Exception\\ServiceUnavailable"
    assert requests.get(faults.site("a").url + "/status.php", timeout=10).status_code == 200
    faults.clear_faults("a")
    assert session.request("PROPFIND", "", headers={"Depth": "0"}).status_code == 207


def test_locked_path_refuses_writes_with_423_but_reads(faults, new_user, dav):
    user = new_user()
    session = dav(user)
    session.put("l.txt", b"L")
    faults.set_fault("a", "lock", user=user.user, path="l.txt")
    locked = session.put("l.txt", b"M")
    assert locked.status_code == 423
    assert exception_of(locked) == "OCA\\DAV\\Connector\\Sabre\\Exception\\FileLocked"
    assert session.request("DELETE", "l.txt").status_code == 423
    assert session.move("l.txt", "m.txt").status_code == 423
    assert session.request("GET", "l.txt").content == b"L"


def test_bad_fault_parameters_are_refused_with_a_reason(faults):
    with pytest.raises(MeshError, match="unknown fault kind"):
        faults.set_fault("a", "meteor")
    with pytest.raises(MeshError, match="needs"):
        faults.set_fault("a", "quota", user="alice")


def test_stats_count_requests_by_method_and_reset(mesh, new_user, dav):
    session = dav(new_user("b"))
    mesh.reset_stats("b")
    session.propfind("")
    session.propfind("")
    session.put("f.txt")
    assert mesh.stats("b") == {"PROPFIND": 2, "PUT": 1, "total": 3}
    mesh.reset_stats("b")
    assert mesh.stats("b") == {"total": 0}


def test_admin_api_needs_the_run_token(mesh):
    url = mesh.site("a").url + "/_localmesh/stats"
    assert requests.get(url, timeout=10).status_code == 403
    alice = ("alice", "alice-pass")
    assert requests.get(url, auth=alice, timeout=10).status_code == 403
