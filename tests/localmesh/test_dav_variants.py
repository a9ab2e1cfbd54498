"""Variant switches: a site answers like another EFSS family where docs/protocols.md says they
differ (sections 1.4-1.7), so clients can be tested against every shape on a real server."""

from __future__ import annotations

import hashlib

import pytest
from cs3_localmesh.mesh import MeshError
from localmesh_helpers import OC


def test_permissions_without_g_like_owncloud_and_reva(new_user, dav, variant):
    session = dav(new_user())
    session.put("f.txt")
    assert "G" in session.stat("f.txt").text(f"{{{OC}}}permissions")
    variant("no-g-letter")
    letters = session.stat("f.txt").text(f"{{{OC}}}permissions")
    assert letters == "RDNVW"
    assert session.put("f.txt", b"still writable").status_code == 204


def test_checksums_as_one_element_like_owncloud_and_reva(new_user, dav, variant):
    session = dav(new_user())
    session.put("f.txt", b"data")
    variant("checksums-one-element")
    checksums = session.stat("f.txt", [f"{{{OC}}}checksums"]).props[f"{{{OC}}}checksums"]
    [element] = checksums.findall(f"{{{OC}}}checksum")
    sha1 = hashlib.sha1(b"data").hexdigest()  # noqa: S324
    md5 = hashlib.md5(b"data").hexdigest()  # noqa: S324
    assert element.text == f"SHA1:{sha1} MD5:{md5}"


def test_put_into_missing_folder_409_like_rfc_4918(new_user, dav, variant):
    session = dav(new_user())
    variant("put-parent-409")
    assert session.put("missing/f.txt").status_code == 409


def test_depth_infinity_refused_like_owncloud_10(new_user, dav, variant):
    session = dav(new_user())
    variant("depth-infinity-412")
    session.propfind("", depth="infinity", expect=412)
    assert len(session.propfind("", depth="1")) == 1


def test_unknown_variant_is_refused_with_the_known_ones(mesh):
    with pytest.raises(MeshError, match="no-g-letter"):
        mesh.set_fault("a", "variant", name="reva-everything")
