"""A real JupyterHub, configured as ``examples/jupyterhub_config.py`` documents, serves each user
their own EFSS home through the hub's proxy.

Users at local-mesh site ``a`` log in on the hub. One has an app password (passed in the
server's environment), the others an OIDC-style access token that the hub writes to a token
file. The single-user servers have the extension enabled only by the package's
``jupyter_server_config.d`` JSON. Hub and EFSS user ids are the same here, as with a shared
identity provider.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time

import pytest
import requests

pytestmark = pytest.mark.hub


@pytest.fixture(scope="module")
def efss(mesh):
    """Two fresh users at site ``a``, each with a file only they have."""
    users = {}
    for role in ("pw", "oidc", "renewed"):
        info = mesh.add_user("a", f"hub{role}-{secrets.token_hex(3)}")
        home = f"{mesh.site('a').url}/remote.php/dav/files/{info.user}/"
        put = requests.put(
            f"{home}only-{info.user}.txt", data=b"mine", auth=(info.user, info.password), timeout=30
        )
        assert put.status_code in (201, 204), put.text
        users[role] = info
    return users


@pytest.fixture(scope="module")
def hub_users(efss):
    return tuple(info.user for info in efss.values())


@pytest.fixture(scope="module")
def hub_site_env(mesh):
    """What the admin sets once for everyone: the site and the mesh directory."""
    return {"CS3_SITE_URL": mesh.site("a").url, "CS3_MESH_DIRECTORY_URL": mesh.directory_url}


@pytest.fixture(scope="module")
def password_user(hub, efss, hub_password):
    """Logged in, server running, EFSS app password from the hub's app-password file."""
    info = efss["pw"]
    hub.app_passwords_file.write_text(json.dumps({info.user: {"password": info.app_password}}))
    token = hub.login(info.user, hub_password)
    hub.start_server(info.user, token)
    return info.user, token


STALE_TOKEN = "expired-" + secrets.token_hex(8)


def log_in_with_stale_token(hub, name: str, password: str) -> tuple[str, str, dict]:
    """Log in while the identity provider still had a stale access token; start the server."""
    hub.idp_dir.mkdir(exist_ok=True)
    (hub.idp_dir / name).write_text(STALE_TOKEN)
    token = hub.login(name, password)
    return name, token, hub.start_server(name, token)


@pytest.fixture(scope="module")
def token_user(hub, efss, hub_password):
    return log_in_with_stale_token(hub, efss["oidc"].user, hub_password)


@pytest.fixture(scope="module")
def renewed_user(hub, efss, hub_password):
    return log_in_with_stale_token(hub, efss["renewed"].user, hub_password)


def listing(hub, name: str, token: str) -> requests.Response:
    return hub.get(f"/user/{name}/api/contents", token, params={"content": "1"})


def names(response: requests.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {entry["name"] for entry in response.json()["content"]}


def refresh_token_file(hub, name: str, token: str) -> None:
    """What the hub does on a token refresh: replace the file in one step."""
    fd, tmp = tempfile.mkstemp(dir=hub.token_dir)
    with os.fdopen(fd, "w") as out:
        out.write(token)
    os.replace(tmp, hub.token_dir / name)


def test_user_lists_their_own_efss_home_through_the_proxy(hub, password_user, efss):
    name, token = password_user
    seen = names(listing(hub, name, token))
    assert f"only-{name}.txt" in seen
    assert f"only-{efss['oidc'].user}.txt" not in seen


def test_users_cannot_reach_each_others_server(hub, password_user, token_user):
    _, token = password_user
    other, _, _ = token_user
    assert listing(hub, other, token).status_code == 403


def test_refreshed_token_file_takes_effect_without_restart(hub, token_user, efss):
    name, token, server = token_user
    stale = listing(hub, name, token)
    assert stale.status_code in (401, 403), stale.text
    assert STALE_TOKEN not in stale.text

    refresh_token_file(hub, name, efss["oidc"].token)
    seen = names(listing(hub, name, token))
    assert f"only-{name}.txt" in seen
    assert f"only-{efss['pw'].user}.txt" not in seen
    # Same server process: the hub did not restart it.
    assert hub.user_model(name, token)["servers"][""]["started"] == server["started"]


def test_token_renewed_by_the_hub_reaches_the_running_server(hub, renewed_user, efss):
    """The example's authenticator wrapper rewrites the token file when the hub refreshes."""
    name, token, server = renewed_user
    assert listing(hub, name, token).status_code == 401

    (hub.idp_dir / name).write_text(efss["renewed"].token)  # the provider renews the token
    time.sleep(hub.auth_refresh_age)  # the hub's copy is now old enough to be refreshed...
    assert hub.get("/hub/api/user", token).status_code == 200  # ...on the user's next request

    assert f"only-{name}.txt" in names(listing(hub, name, token))
    assert hub.user_model(name, token)["servers"][""]["started"] == server["started"]
