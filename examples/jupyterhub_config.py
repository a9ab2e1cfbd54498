"""JupyterHub configuration for cs3_jupyter: every user's Jupyter file system is their EFSS home.

Copy this file next to your hub, keep the parts you need and edit the values marked EDIT. It
covers the two common ways a hub knows a user's EFSS credential:

* **OIDC** (the hub and the EFSS trust the same identity provider): the Authenticator keeps the
  user's access token in its auth state; the hub writes it to a per-user *token file* that the
  extension re-reads whenever it changes, so a refreshed token needs no server restart.
* **App passwords** looked up per user (a file readable only by the hub, a vault, LDAP...):
  passed to the server in its environment.

The single-user image needs only ``pip install jupyter-sciencemesh``: the package enables its
server extension through ``etc/jupyter/jupyter_server_config.d``, and the settings below reach it
as ``CS3_*`` environment variables (see the configuration reference in the README). Hub-side
values may come from the hub's own environment, so a container image can stay unedited.

The test ``tests/deploy/test_hub.py`` runs a real hub with this file (it swaps only the
authenticator and spawner for stand-ins that work without an identity provider or system users).
"""

from __future__ import annotations

import inspect
import json
import os
import pwd
import tempfile
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (provided by JupyterHub)

# --- The site and the mesh: the same for everyone (EDIT) ---------------------------------------
SITE_URL = os.environ.get("CS3_SITE_URL", "https://cloud.example.org")
MESH_DIRECTORY_URL = os.environ.get("CS3_MESH_DIRECTORY_URL", "")

# --- Where the hub keeps per-user secrets (EDIT) ----------------------------------------------
# One token file per user. With LocalProcessSpawner/SystemdSpawner it must be a path the user's
# server can read; with KubeSpawner mount it into the pod (e.g. a Secret the hub updates).
TOKEN_DIR = Path(os.environ.get("CS3_HUB_TOKEN_DIR", "/srv/jupyterhub/cs3-tokens"))
# A JSON object {"<hub user>": {"user": "<EFSS user id>", "password": "<app password>"}}.
APP_PASSWORDS_FILE = Path(
    os.environ.get("CS3_HUB_APP_PASSWORDS", "/srv/jupyterhub/cs3-app-passwords.json")
)


def token_file(username: str) -> Path:
    return TOKEN_DIR / username


def write_token_file(username: str, access_token: str) -> None:
    """Replace the user's token file in one step, so the server never reads half a token.

    The folder can be crossed but not listed; the file (mode 0600) belongs to the user's system
    account when there is one, so only the hub and that user can read it.
    """
    TOKEN_DIR.mkdir(mode=0o711, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=TOKEN_DIR, prefix=f".{username}.")
    with os.fdopen(fd, "w") as out:
        out.write(access_token)
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(username)
        except KeyError:
            pass  # no system account (containers, SimpleLocalProcessSpawner): same uid as the hub
        else:
            os.chown(tmp, account.pw_uid, account.pw_gid)
    os.replace(tmp, token_file(username))


def app_password_entry(username: str) -> dict[str, str]:
    """This user's entry in the app-password file, or {} (read at every spawn: edits apply)."""
    try:
        entries = json.loads(APP_PASSWORDS_FILE.read_text())
    except FileNotFoundError:
        return {}
    return entries.get(username, {})


def save_access_token(spawner, auth_state) -> None:
    """OIDC set-up: put the access token from the auth state where the user's server reads it.

    JupyterHub calls this before every spawn; :func:`keeps_token_file` covers refreshes.
    """
    if auth_state and auth_state.get("access_token"):
        write_token_file(spawner.user.name, auth_state["access_token"])


def keeps_token_file(authenticator_class: type) -> type:
    """``authenticator_class``, also rewriting the token file whenever it refreshes a user.

    OIDC authenticators renew an expiring access token in ``refresh_user``, which the hub calls
    once ``Authenticator.auth_refresh_age`` has passed. The user's running server reads the new
    token from the file on its next request: no restart.
    """

    class KeepsTokenFile(authenticator_class):
        async def refresh_user(self, user, handler=None, **kwargs):
            refreshed = super().refresh_user(user, handler, **kwargs)
            if inspect.isawaitable(refreshed):
                refreshed = await refreshed
            if isinstance(refreshed, dict):
                auth_state = refreshed.get("auth_state") or {}
                if auth_state.get("access_token"):
                    write_token_file(user.name, auth_state["access_token"])
            return refreshed

    KeepsTokenFile.__name__ = KeepsTokenFile.__qualname__ = authenticator_class.__name__
    return KeepsTokenFile


def efss_user(spawner) -> str:
    # EDIT if your EFSS user ids differ from the hub's user names in another way.
    return app_password_entry(spawner.user.name).get("user", spawner.user.name)


def efss_password(spawner) -> str:
    return app_password_entry(spawner.user.name).get("password", "")


def efss_token_file(spawner) -> str:
    path = token_file(spawner.user.name)
    return str(path) if path.exists() else ""


# Auth state is where OIDC authenticators keep the access token; it is stored encrypted, with
# the key in the hub's JUPYTERHUB_CRYPT_KEY environment variable (`openssl rand -hex 32`): the hub
# refuses to start without it. With app passwords only, drop these two lines.
c.Authenticator.enable_auth_state = True
c.Spawner.auth_state_hook = save_access_token

# Values may be callables: JupyterHub calls them with the spawner for each user's server.
c.Spawner.environment.update(
    {
        "CS3_SITE_URL": SITE_URL,
        "CS3_MESH_DIRECTORY_URL": MESH_DIRECTORY_URL,
        "CS3_USER": efss_user,
        "CS3_PASSWORD": efss_password,
        "CS3_TOKEN_FILE": efss_token_file,
    }
)

# --- Your authenticator and spawner (EDIT) -----------------------------------------------------
# For example, with `pip install oauthenticator` and the EFSS's identity provider:
#   from oauthenticator.generic import GenericOAuthenticator
#   c.JupyterHub.authenticator_class = keeps_token_file(GenericOAuthenticator)
#   c.GenericOAuthenticator.auth_refresh_age = 300   # seconds between token checks
#   c.GenericOAuthenticator.oauth_callback_url = "https://hub.example.org/hub/oauth_callback"
#   c.GenericOAuthenticator.client_id = "..."            # and client_secret, authorize_url, ...
#   c.GenericOAuthenticator.scope = ["openid", "profile"]
#   c.GenericOAuthenticator.username_claim = "preferred_username"
#   c.GenericOAuthenticator.allow_all = True
