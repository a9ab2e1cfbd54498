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
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

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


STALE_TOKEN = "expired-" + secrets.token_hex(8)


@dataclass(frozen=True)
class HubSession:
    name: str
    token: str  # the user's hub API token
    server: dict  # the hub's model of the user's running server


@pytest.fixture(scope="module")
def sessions(hub, efss, hub_password) -> dict[str, HubSession]:
    """Every user logged in on the hub, with a running server.

    ``pw`` has an app password in the hub's app-password file; ``oidc`` and ``renewed`` logged
    in while the identity provider still had a stale access token for them.
    """
    pw = efss["pw"]
    hub.app_passwords_file.write_text(json.dumps({pw.user: {"password": pw.app_password}}))
    hub.idp_dir.mkdir(exist_ok=True)
    for role in ("oidc", "renewed"):
        (hub.idp_dir / efss[role].user).write_text(STALE_TOKEN)
    tokens = {info.user: hub.login(info.user, hub_password) for info in efss.values()}
    servers = hub.start_servers(tokens)
    return {
        role: HubSession(info.user, tokens[info.user], servers[info.user])
        for role, info in efss.items()
    }


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


def test_user_lists_their_own_efss_home_through_the_proxy(hub, sessions):
    me = sessions["pw"]
    seen = names(listing(hub, me.name, me.token))
    assert f"only-{me.name}.txt" in seen
    assert f"only-{sessions['oidc'].name}.txt" not in seen


def test_users_cannot_reach_each_others_server(hub, sessions):
    assert listing(hub, sessions["oidc"].name, sessions["pw"].token).status_code == 403


def test_refreshed_token_file_takes_effect_without_restart(hub, sessions, efss):
    me = sessions["oidc"]
    stale = listing(hub, me.name, me.token)
    assert stale.status_code == 401, stale.text
    assert STALE_TOKEN not in stale.text

    refresh_token_file(hub, me.name, efss["oidc"].token)
    seen = names(listing(hub, me.name, me.token))
    assert f"only-{me.name}.txt" in seen
    assert f"only-{efss['pw'].user}.txt" not in seen
    # Same server process: the hub did not restart it.
    assert hub.user_model(me.name, me.token)["servers"][""]["started"] == me.server["started"]


def test_token_renewed_by_the_hub_reaches_the_running_server(hub, sessions, efss):
    """The example's authenticator wrapper rewrites the token file when the hub refreshes."""
    me = sessions["renewed"]
    assert listing(hub, me.name, me.token).status_code == 401

    (hub.idp_dir / me.name).write_text(efss["renewed"].token)  # the provider renews the token
    time.sleep(hub.auth_refresh_age)  # the hub's copy is now old enough to be refreshed...
    assert hub.get("/hub/api/user", me.token).status_code == 200  # ...on the next hub request

    assert f"only-{me.name}.txt" in names(listing(hub, me.name, me.token))
    assert hub.user_model(me.name, me.token)["servers"][""]["started"] == me.server["started"]


def test_running_server_reports_what_it_picked_up(hub, sessions, efss, mesh):
    """What ``jupyter cs3-config`` shows an admin, from the spawned server itself."""
    me = sessions["pw"]
    response = hub.get(f"/user/{me.name}/cs3/api/config", me.token)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["extension_enabled"] and report["extension_loaded"]
    assert report["contents_manager_active"] is True
    assert report["site"]["url"] == mesh.site("a").url
    assert report["site"]["user"] == me.name
    assert report["site"]["credential_source"] == "password"
    assert report["site"]["mesh_directory_url"] == mesh.directory_url
    assert efss["pw"].app_password not in response.text

    oidc = sessions["oidc"]
    site = hub.get(f"/user/{oidc.name}/cs3/api/config", oidc.token).json()["site"]
    assert site["credential_source"] == "token_file"
    assert site["token_file_state"] == "readable"


def test_cs3_config_in_a_users_terminal_asks_their_running_server(hub, sessions):
    """``jupyter cs3-config`` with the environment a terminal of that server inherits."""
    me = sessions["oidc"]
    runtime = hub.state / "home" / me.name / ".local" / "share" / "jupyter" / "runtime"
    (info_file,) = runtime.glob("jpserver-*.json")
    pid = json.loads(info_file.read_text())["pid"]
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    terminal_env = dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)
    result = subprocess.run(
        [sys.executable, "-m", "cs3_jupyter.show_config", "--json"],
        env=terminal_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    (report,) = json.loads(result.stdout)
    assert report["source"].startswith("running server http://127.0.0.1:")
    assert report["site"]["user"] == me.name
    assert report["site"]["credential_source"] == "token_file"
    assert terminal_env["JUPYTERHUB_API_TOKEN"] not in result.stdout
