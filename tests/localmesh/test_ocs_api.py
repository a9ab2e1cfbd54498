"""The OCS layer of a local-mesh site: header check, authentication, envelopes, cloud/*.

Reference: docs/protocols.md §2.1, §2.5 and §8 (Nextcloud 32 wins).
"""

from __future__ import annotations

import requests
from defusedxml import ElementTree as SafeET
from sharing_client import SHARING, Client

HEADER = {"OCS-APIRequest": "true"}


def test_missing_ocs_apirequest_header_is_412_even_with_basic_auth(mesh, new_user):
    user = new_user("a")
    for version in (1, 2):
        reply = requests.get(
            f"{mesh.site('a').url}/ocs/v{version}.php{SHARING}/shares?format=json",
            auth=(user.user, user.password),
            timeout=30,
        )
        assert reply.status_code == 412
        assert reply.json()["ocs"]["meta"]["message"] == "CSRF check failed"


def test_unauthenticated_is_http_401_with_statuscode_997_on_v1_and_v2(mesh):
    for version in (1, 2):
        reply = requests.get(
            f"{mesh.site('a').url}/ocs/v{version}.php{SHARING}/shares?format=json",
            headers=HEADER,
            timeout=30,
        )
        assert reply.status_code == 401
        assert reply.json()["ocs"]["meta"]["statuscode"] == 997
        assert reply.headers["WWW-Authenticate"].startswith("Basic ")


def test_wrong_password_is_refused_like_no_password(mesh, new_user):
    user = new_user("a")
    reply = requests.get(
        f"{mesh.site('a').url}/ocs/v2.php/cloud/user?format=json",
        headers=HEADER,
        auth=(user.user, user.password + "x"),
        timeout=30,
    )
    assert reply.status_code == 401
    assert user.password not in reply.text


def test_v1_says_100_and_keeps_http_200_on_failure_while_v2_mirrors_the_code(mesh, new_user):
    client = Client(mesh.site("a").url, new_user("a"))
    ok1 = client.ocs("GET", SHARING + "/shares", version=1)
    assert (ok1.status, ok1.meta["statuscode"], ok1.meta["status"]) == (200, 100, "ok")
    assert ok1.meta["totalitems"] == "" and ok1.meta["itemsperpage"] == ""
    ok2 = client.ocs("GET", SHARING + "/shares", version=2)
    assert (ok2.status, ok2.meta["statuscode"]) == (200, 200)
    missing1 = client.ocs("GET", SHARING + "/shares/999999", version=1)
    assert (missing1.status, missing1.meta["statuscode"]) == (200, 404)
    assert missing1.meta["status"] == "failure"
    missing2 = client.ocs("GET", SHARING + "/shares/999999", version=2)
    assert (missing2.status, missing2.meta["statuscode"]) == (404, 404)


def test_xml_unless_json_is_asked_for_by_query_or_accept_header(mesh, new_user):
    user = new_user("a")
    url = f"{mesh.site('a').url}/ocs/v2.php/cloud/user"
    auth = (user.user, user.password)
    xml = requests.get(url, headers=HEADER, auth=auth, timeout=30)
    assert xml.headers["Content-Type"].startswith("application/xml")
    root = SafeET.fromstring(xml.content)
    assert root.findtext("meta/statuscode") == "200"
    assert root.findtext("data/id") == user.user
    by_accept = requests.get(
        url, headers={**HEADER, "Accept": "application/json"}, auth=auth, timeout=30
    )
    assert by_accept.json()["ocs"]["data"]["id"] == user.user


def test_xml_lists_use_element_items(mesh, new_user):
    client = Client(mesh.site("a").url, new_user("a"))
    other = new_user("a")
    client.mkdir("x")
    assert client.share("/x", 0, other.user).status == 200
    reply = client.http.get(f"{client.url}/ocs/v1.php{SHARING}/shares", timeout=30)
    root = SafeET.fromstring(reply.content)
    assert root.findtext("meta/statuscode") == "100"
    assert [e.findtext("share_with") for e in root.findall("data/element")] == [other.user]


def test_capabilities_are_public_and_advertise_only_what_the_site_does(mesh):
    reply = requests.get(
        f"{mesh.site('a').url}/ocs/v1.php/cloud/capabilities?format=json",
        headers=HEADER,
        timeout=30,
    )
    assert reply.status_code == 200
    caps = reply.json()["ocs"]["data"]["capabilities"]
    assert caps["files_sharing"]["api_enabled"] is True
    assert caps["files_sharing"]["federation"] == {
        "outgoing": True,
        "incoming": True,
        "expire_date": {"enabled": True},
    }
    assert caps["files"]["undelete"] is False  # no trash bin in the local mesh
    assert "locking" not in caps["files"]  # no files_lock app either
    assert caps["ocm"]["endPoint"] == mesh.site("a").url + "/index.php/ocm"


def test_cloud_user_describes_the_caller(mesh, new_user):
    user = new_user("a", display_name="Ada Lovelace", groups=("analysts",))
    client = Client(mesh.site("a").url, user)
    client.put("data.csv", b"x,y\n1,2\n")
    reply = client.ocs("GET", "/cloud/user")
    assert reply.status == 200
    assert reply.data["id"] == user.user
    assert reply.data["display-name"] == "Ada Lovelace"
    assert reply.data["groups"] == ["analysts"]
    assert reply.data["quota"]["used"] == len(b"x,y\n1,2\n")
    assert reply.data["quota"]["quota"] == -3  # Nextcloud's "unlimited"


def test_cloud_user_reports_the_quota_when_one_is_set(mesh, new_user):
    user = new_user("a")
    mesh.set_fault("a", "quota", user=user.user, bytes=1000)
    try:
        quota = Client(mesh.site("a").url, user).ocs("GET", "/cloud/user").data["quota"]
    finally:
        mesh.clear_faults("a")
    assert (quota["total"], quota["free"], quota["used"]) == (1000, 1000, 0)


def test_unknown_ocs_endpoint_is_404_in_the_envelope(mesh, new_user):
    client = Client(mesh.site("a").url, new_user("a"))
    reply = client.ocs("GET", "/apps/files_sharing/api/v1/nothing")
    assert reply.status == 404
    assert reply.meta["status"] == "failure"
