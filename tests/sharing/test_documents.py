"""Directory and discovery documents in every shape servers publish (docs/protocols.md §3.3, §4.1).

Pure parsing of documents, so no server is needed; fetching them is covered by the tests
that run against the local mesh.
"""

from __future__ import annotations

import base64
import json

from cs3_jupyter.sharing.directory import MeshSite, parse_directory
from cs3_jupyter.sharing.ocm import parse_discovery

PROVIDER_INFO = [
    {
        "name": "site-a",
        "full_name": "Site A Cloud",
        "domain": "a.test",
        "homepage": "https://www.uni-a.example",
        "services": [
            {
                "host": "a.test",
                "endpoint": {"type": {"name": "OCM"}, "path": "https://a.test/ocm/"},
            }
        ],
    },
    {  # no OCM service: not a sharing site
        "name": "site-x",
        "domain": "x.test",
        "services": [{"host": "x.test", "endpoint": {"type": {"name": "GATEWAY"}, "path": ""}}],
    },
    {
        "name": "b",
        "domain": "127.0.0.1:8082",
        "services": [{"endpoint": {"type": {"name": "ocm"}, "path": "http://127.0.0.1:8082/ocm"}}],
    },
]


def test_provider_info_list_gives_ocm_sites_by_domain():
    assert parse_directory(PROVIDER_INFO) == [
        MeshSite("Site A Cloud", "https://a.test", "a.test"),
        MeshSite("b", "http://127.0.0.1:8082", "127.0.0.1:8082"),
    ]


DIRECTORY_SERVICE = {
    "federation": "Test Mesh",
    "servers": [
        {"url": "https://a.test/", "displayName": "A"},
        {"url": "https://b.test:8443", "displayName": "B"},
    ],
}
EXPECTED = [
    MeshSite("A", "https://a.test", "a.test"),
    MeshSite("B", "https://b.test:8443", "b.test:8443"),
]


def test_directory_service_document_plain_as_jws_and_as_reva_federations():
    payload = base64.urlsafe_b64encode(json.dumps(DIRECTORY_SERVICE).encode()).decode().rstrip("=")
    jws = f"eyJhbGciOiJub25lIn0.{payload}.c2ln"
    assert parse_directory(DIRECTORY_SERVICE) == EXPECTED
    assert parse_directory(jws) == EXPECTED
    assert parse_directory([DIRECTORY_SERVICE]) == EXPECTED


def test_unknown_shapes_give_no_sites():
    assert parse_directory({"hello": 1}) == []
    assert parse_directory("not.a-jws") == []
    assert parse_directory(42) == []


def test_discovery_reads_both_nextcloud_and_reva_documents():
    nextcloud = {
        "enabled": True,
        "apiVersion": "1.0-proposal1",
        "endPoint": "http://127.0.0.1:8081/index.php/ocm",
        "resourceTypes": [{"name": "file", "shareTypes": ["user", "group"]}],
        "capabilities": ["/invite-accepted", "/notifications", "/shares"],
    }
    provider = parse_discovery(nextcloud)
    assert provider is not None
    assert provider.api_version == "1.0-proposal1"
    assert provider.capabilities == ("/invite-accepted", "/notifications", "/shares")
    reva = {
        "enabled": True,
        "apiVersion": "1.3.0",
        "endPoint": "https://a.test/ocm",
        "resourceTypes": [{"name": "file"}, {"name": "folder"}],
        "capabilities": ["invites"],
        "inviteAcceptDialog": "https://a.test/accept",
    }
    provider = parse_discovery(reva)
    assert provider is not None
    assert provider.resource_types == ("file", "folder")
    assert provider.invite_accept_dialog == "https://a.test/accept"


def test_discovery_that_says_disabled_or_has_no_endpoint_is_no_ocm():
    assert parse_discovery({"enabled": False, "endPoint": "https://a.test/ocm"}) is None
    assert parse_discovery({"enabled": True}) is None
    assert parse_discovery(["not", "a", "dict"]) is None
