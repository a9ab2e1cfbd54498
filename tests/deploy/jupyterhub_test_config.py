"""The hub of ``test_hub.py``: the documented example configuration plus test stand-ins.

Everything cs3_jupyter-specific comes from ``examples/jupyterhub_config.py`` unchanged. What this
file adds cannot exist here: an OIDC identity provider (a password authenticator that hands out,
and on refresh renews to, the access token the test put in ``$HUB_TEST_DIR/idp/<user>``), system
accounts (the simple local-process spawner with a home per user under the test folder) and fixed
ports (ephemeral ones chosen by the fixture).
"""

import os
import runpy
import sys
from pathlib import Path

from jupyterhub.authenticators.shared import SharedPasswordAuthenticator

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (provided by JupyterHub)

REPO = Path(__file__).resolve().parents[2]
STATE = Path(os.environ["HUB_TEST_DIR"])

# Run the example on this config object, keeping its helpers (load_subconfig would hide them).
example = runpy.run_path(str(REPO / "examples" / "jupyterhub_config.py"), {"get_config": lambda: c})


def issued_token(name: str) -> str:
    """The access token the identity provider currently has for ``name`` ("" if none)."""
    issued = STATE / "idp" / name
    return issued.read_text() if issued.exists() else ""


class StandInOIDCAuthenticator(SharedPasswordAuthenticator):
    """Shared-password login with auth state and refreshes the way an OIDC authenticator has."""

    async def authenticate(self, handler, data):
        user = await super().authenticate(handler, data)
        if user is not None and issued_token(user["name"]):
            user["auth_state"] = {"access_token": issued_token(user["name"])}
        return user

    async def refresh_user(self, user, handler=None):
        state = await user.get_auth_state() or {}
        token = issued_token(user.name)
        if token and token != state.get("access_token"):
            return {"name": user.name, "auth_state": {**state, "access_token": token}}
        return True


c.JupyterHub.authenticator_class = example["keeps_token_file"](StandInOIDCAuthenticator)
c.Authenticator.auth_refresh_age = int(os.environ["HUB_TEST_AUTH_REFRESH_AGE"])
c.SharedPasswordAuthenticator.user_password = os.environ["HUB_TEST_PASSWORD"]
c.Authenticator.allowed_users = set(os.environ["HUB_TEST_USERS"].split(","))

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "home" / "{username}")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
if os.geteuid() == 0:  # CI runs as root; Jupyter refuses that unless told.
    c.Spawner.args = ["--allow-root"]
c.Spawner.environment.update(
    {
        # The package as pip installs it: its jupyter-config folder is what the wheel puts in
        # etc/jupyter, so the extension is enabled by that JSON file and nothing else.
        "JUPYTER_CONFIG_PATH": str(REPO / "jupyter-config"),
        # The cs3_jupyter of this working tree, whether or not it is installed in the venv.
        "PYTHONPATH": str(REPO),
    }
)

c.JupyterHub.bind_url = os.environ["HUB_TEST_PUBLIC_URL"]
c.JupyterHub.hub_bind_url = os.environ["HUB_TEST_HUB_URL"]
c.ConfigurableHTTPProxy.api_url = os.environ["HUB_TEST_PROXY_API_URL"]
c.ConfigurableHTTPProxy.command = [os.environ["HUB_TEST_PROXY_COMMAND"]]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "cookie_secret")
c.JupyterHub.cleanup_servers = True
