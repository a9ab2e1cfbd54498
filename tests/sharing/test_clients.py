"""The protocol clients against real local-mesh sites: OCS envelopes, OCM discovery (with the
Nextcloud fallback and the cache), the mesh directory, and credentials."""

from __future__ import annotations

import pytest

from cs3_jupyter.sharing.directory import MeshDirectory
from cs3_jupyter.sharing.errors import SharingError
from cs3_jupyter.sharing.http import SiteHTTP
from cs3_jupyter.sharing.ocm import Discovery
from cs3_jupyter.sharing.ocs import OCSClient, OCSError
from cs3_jupyter.transport.auth import make_auth


def site_http(mesh, site, user, **auth) -> SiteHTTP:
    url = mesh.site(site).url
    return SiteHTTP(url, user.user, make_auth(user.user, **auth))


def test_ocs_v1_and_v2_envelopes_give_the_same_data(mesh, new_user):
    user = new_user("a", display_name="Vera V")
    ocs = OCSClient(site_http(mesh, "a", user, password=user.app_password))
    v1 = ocs.call("GET", "/ocs/v1.php/cloud/user")
    v2 = ocs.call("GET", "/ocs/v2.php/cloud/user")
    assert v1 == v2
    assert v1["id"] == user.user


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_ocs_refusals_raise_with_the_ocs_code(mesh, new_user, version):
    # v1 answers HTTP 200 with statuscode 404 inside, v2 answers HTTP 404: same outcome.
    user = new_user("a")
    ocs = OCSClient(site_http(mesh, "a", user, password=user.app_password))
    with pytest.raises(OCSError) as err:
        ocs.call("GET", f"/ocs/{version}.php/apps/files_sharing/api/v1/shares/999999")
    assert err.value.code in (404, 998)
    assert err.value.message


def test_refused_credentials_are_site_auth_failed_without_the_secret(mesh, new_user):
    user = new_user("a")
    http = site_http(mesh, "a", user, password="definitely-wrong")
    with pytest.raises(SharingError) as err:
        OCSClient(http).current_user()
    assert (err.value.status, err.value.reason) == (401, "site_auth_failed")
    assert "definitely-wrong" not in err.value.message


def test_a_refreshed_token_file_is_used_after_a_401(mesh, new_user, tmp_path):
    user = new_user("a")
    token_file = tmp_path / "token"
    token_file.write_text("stale-token")
    http = site_http(mesh, "a", user, token_file=str(token_file))
    with pytest.raises(SharingError):
        OCSClient(http).current_user()
    token_file.write_text(user.token)
    assert OCSClient(http).current_user()["id"] == user.user


def test_discovery_prefers_well_known_and_caches(mesh):
    discovery = Discovery()
    site = mesh.site("b")
    mesh.reset_stats("b")
    first = discovery.discover(site.url)
    second = discovery.discover(site.url)
    assert first == second
    assert first.api_version
    assert mesh.stats("b").get("GET") == 1


def test_discovery_falls_back_to_ocm_provider_like_nextcloud(mesh):
    # Nextcloud 32 answers 404 on /.well-known/ocm and serves /ocm-provider/ only.
    mesh.set_fault("b", "status", code=404, prefix="/.well-known/ocm")
    try:
        provider = Discovery().discover(mesh.site("b").url)
    finally:
        mesh.clear_faults("b")
    assert provider.api_version == "1.0-proposal1"
    assert "/shares" in provider.capabilities


def test_discovery_of_a_site_without_ocm_or_down(mesh):
    mesh.set_fault("b", "status", code=404, prefix="/ocm-provider")
    mesh.set_fault("b", "status", code=404, prefix="/.well-known/ocm")
    try:
        with pytest.raises(SharingError) as err:
            Discovery().discover(mesh.site("b").url)
    finally:
        mesh.clear_faults("b")
    assert err.value.reason == "site_without_ocm"

    with pytest.raises(SharingError) as err:
        Discovery().discover("http://127.0.0.1:9")
    assert err.value.reason == "site_unreachable"
    assert "127.0.0.1:9" in err.value.message


def test_failures_are_cached_only_briefly(mesh):
    discovery = Discovery(failure_ttl=0)
    mesh.set_fault("b", "status", code=503, prefix="/")
    try:
        with pytest.raises(SharingError):
            discovery.discover(mesh.site("b").url)
    finally:
        mesh.clear_faults("b")
    assert discovery.discover(mesh.site("b").url).api_version


def test_directory_from_the_mesh_and_static_sites(mesh):
    directory = MeshDirectory(mesh.directory_url, ("https://extra.example.org/",))
    domains = [site.domain for site in directory.sites()]
    assert domains == ["extra.example.org", mesh.site("a").host, mesh.site("b").host]
    assert directory.find(mesh.site("b").url).domain == mesh.site("b").host
    assert directory.find(f"{mesh.site('b').host}/") is not None
    assert directory.find("nowhere.example.org") is None


def test_unreadable_directory_falls_back_to_static_sites_or_fails_clearly():
    dead = "http://127.0.0.1:9/directory.json"
    with_static = MeshDirectory(dead, ("https://a.example.org",))
    assert [s.domain for s in with_static.sites()] == ["a.example.org"]
    with pytest.raises(SharingError) as err:
        MeshDirectory(dead).sites()
    assert err.value.reason == "site_unreachable"
