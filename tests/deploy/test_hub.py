"""Draft: hub harness smoke test."""

import pytest

pytestmark = pytest.mark.hub


@pytest.fixture(scope="module")
def hub_site_env():
    return {"CS3_SITE_URL": "http://127.0.0.1:9", "HUB_TEST_MANAGE_CONTENTS": "0"}


def test_version(hub, hub_password):
    token = hub.login("alice", hub_password)
    hub.start_server("alice", token)
    r = hub.get("/user/alice/cs3/api/version", token)
    assert r.status_code == 200, r.text
    assert r.json()["site_configured"] is True
