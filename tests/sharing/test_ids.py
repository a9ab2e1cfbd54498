"""Federated ids: the test vectors of docs/protocols.md §3.2 and the plain-http rule (§8)."""

from __future__ import annotations

import pytest

from cs3_jupyter.sharing.errors import SharingError
from cs3_jupyter.sharing.ids import FederatedId, cloud_id_for, domain_of, parse_federated_id


@pytest.mark.parametrize(
    ("text", "user", "site", "domain"),
    [
        (
            "alice@uni.example@cloud.example.org",
            "alice@uni.example",
            "cloud.example.org",
            "cloud.example.org",
        ),
        ("bob@cloud.example.org:8443", "bob", "cloud.example.org:8443", "cloud.example.org:8443"),
        (
            "carol@https://cloud.example.org",
            "carol",
            "https://cloud.example.org",
            "cloud.example.org",
        ),
        ("bob@http://127.0.0.1:8082", "bob", "http://127.0.0.1:8082", "127.0.0.1:8082"),
        ("a@b@http://127.0.0.1:8082/", "a@b", "http://127.0.0.1:8082", "127.0.0.1:8082"),
        (
            "dave@cloud.example.org/nextcloud",
            "dave",
            "cloud.example.org/nextcloud",
            "cloud.example.org/nextcloud",
        ),
        ("  Eve@Cloud.Example.ORG ", "Eve", "Cloud.Example.ORG", "cloud.example.org"),
    ],
)
def test_splits_at_the_right_at_and_keeps_scheme_and_port(text, user, site, domain):
    fid = parse_federated_id(text)
    assert fid == FederatedId(user, site)
    assert fid.domain == domain


@pytest.mark.parametrize(
    "text", ["bob", "bob@", "@cloud.example.org", "bob@http://", "b ob@x.org", ""]
)
def test_rejects_what_is_not_a_federated_id(text):
    with pytest.raises(SharingError) as err:
        parse_federated_id(text)
    assert err.value.status == 400
    assert err.value.reason == "bad_request"


def test_user_ids_keep_their_case():
    assert parse_federated_id("Bob.Smith@x.org").user == "Bob.Smith"


def test_cloud_id_keeps_the_scheme_only_for_plain_http_sites():
    # Nextcloud tries https first for a bare host, and fails on plain-http sites.
    assert cloud_id_for("bob", "http://127.0.0.1:8082/") == "bob@http://127.0.0.1:8082"
    assert cloud_id_for("bob", "https://cloud.example.org") == "bob@cloud.example.org"
    assert cloud_id_for("a@b", "https://cloud.example.org:8443") == "a@b@cloud.example.org:8443"


def test_domain_of_accepts_urls_and_bare_domains_alike():
    assert domain_of("https://Cloud.example.org/") == "cloud.example.org"
    assert domain_of("cloud.example.org") == "cloud.example.org"
    assert domain_of("http://127.0.0.1:8081") == "127.0.0.1:8081"
