"""A real JupyterHub behind a real configurable-http-proxy, on 127.0.0.1 ephemeral ports.

The proxy comes from npm (``npm ci --prefix tests/deploy``, run by ``make setup``). The hub is
started once per module from ``jupyterhub_test_config.py`` and stopped (with the single-user
servers it spawned) at the end.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
HUB_CONFIG = HERE / "jupyterhub_test_config.py"
#: How long the hub or a single-user server may take to come up on a busy 2-core machine.
STARTUP_LIMIT = 60.0
#: Seconds after which the hub refreshes a user's auth state on their next request to it.
AUTH_REFRESH_AGE = 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningHub:
    """A JupyterHub process and the HTTP calls a user makes to it."""

    def __init__(self, state: Path, public_url: str) -> None:
        self.state = state
        self.url = public_url
        self.process: subprocess.Popen[bytes] | None = None
        self.log = state / "jupyterhub.log"
        self.http = requests.Session()
        # Where the example configuration finds its per-user secrets (see its docs).
        self.token_dir = state / "tokens"
        self.app_passwords_file = state / "app-passwords.json"
        # Where the stand-in identity provider takes the access token it hands out.
        self.idp_dir = state / "idp"
        self.auth_refresh_age = AUTH_REFRESH_AGE

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterHub exited:\n{self.log_tail()}")
            try:
                if self.http.get(f"{self.url}/hub/api/", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"JupyterHub did not come up:\n{self.log_tail()}")

    def login(self, name: str, password: str) -> str:
        """Log in on the hub's login form, then get an API token for that session.

        The form, not the token API's password body: only a real login stores the
        authenticator's auth state, which is where the access token comes from.
        """
        with requests.Session() as browser:
            browser.get(f"{self.url}/hub/login", timeout=30).raise_for_status()
            xsrf = browser.cookies["_xsrf"]
            form = {"username": name, "password": password, "_xsrf": xsrf}
            response = browser.post(
                f"{self.url}/hub/login", data=form, allow_redirects=False, timeout=30
            )
            assert response.status_code == 302, f"login failed:\n{self.log_tail()}"
            response = browser.post(
                f"{self.url}/hub/api/users/{name}/tokens",
                json={"note": "test login"},
                # The hub ties the XSRF token to the new session: use the one it set at login.
                headers={"X-XSRFToken": browser.cookies["_xsrf"]},
                timeout=30,
            )
        assert response.status_code == 201, response.text
        return response.json()["token"]

    def get(self, path: str, token: str, **kwargs) -> requests.Response:
        return self.http.get(
            f"{self.url}{path}", headers={"Authorization": f"token {token}"}, timeout=30, **kwargs
        )

    def user_model(self, name: str, token: str) -> dict:
        response = self.get(f"/hub/api/users/{name}", token)
        assert response.status_code == 200, response.text
        return response.json()

    def start_servers(self, logins: dict[str, str]) -> dict[str, dict]:
        """Spawn the servers of ``{name: token}`` together; wait until the hub routes to each.

        Their server models, by name.
        """
        for name, token in logins.items():
            response = self.http.post(
                f"{self.url}/hub/api/users/{name}/server",
                headers={"Authorization": f"token {token}"},
                timeout=30,
            )
            assert response.status_code in (201, 202), response.text
        return {name: self._wait_for_server(name, token) for name, token in logins.items()}

    def _wait_for_server(self, name: str, token: str) -> dict:
        deadline = time.monotonic() + STARTUP_LIMIT
        while time.monotonic() < deadline:
            server = self.user_model(name, token)["servers"].get("")
            if server and server["ready"]:
                return server
            if server is None or not server.get("pending"):
                break
            time.sleep(0.2)
        raise AssertionError(f"{name}'s server did not start:\n{self.log_tail()}")

    def stop(self) -> None:
        self.http.close()
        if self.process and self.process.poll() is None:
            self.process.terminate()  # the hub stops the servers it spawned (cleanup_servers)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def hub_password() -> str:
    return secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def hub_users() -> tuple[str, ...]:
    """Who may log in to the hub: override in a module to match its EFSS users."""
    return ("alice", "bob")


@pytest.fixture(scope="module")
def hub_site_env() -> dict[str, str]:
    """The hub-side ``CS3_*`` settings (site, mesh): override in a module that has a mesh."""
    return {}


@pytest.fixture(scope="module")
def hub(tmp_path_factory, hub_password, hub_users, hub_site_env) -> Iterator[RunningHub]:
    if not PROXY.exists():
        pytest.fail(f"configurable-http-proxy is missing: run `npm ci --prefix {HERE}`")
    state = tmp_path_factory.mktemp("hub")
    running = RunningHub(state, f"http://127.0.0.1:{free_port()}")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CS3_", "JUPYTER"))},
        **hub_site_env,
        "HUB_TEST_DIR": str(state),
        "HUB_TEST_PASSWORD": hub_password,
        "HUB_TEST_USERS": ",".join(hub_users),
        "HUB_TEST_PUBLIC_URL": running.url,
        "HUB_TEST_HUB_URL": f"http://127.0.0.1:{free_port()}",
        "HUB_TEST_PROXY_API_URL": f"http://127.0.0.1:{free_port()}",
        "HUB_TEST_PROXY_COMMAND": str(PROXY),
        "CS3_HUB_TOKEN_DIR": str(running.token_dir),
        "CS3_HUB_APP_PASSWORDS": str(running.app_passwords_file),
        "JUPYTERHUB_CRYPT_KEY": secrets.token_hex(32),
        "HUB_TEST_AUTH_REFRESH_AGE": str(AUTH_REFRESH_AGE),
    }
    with open(running.log, "wb") as log:
        running.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)],
            cwd=state,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        running.wait_until_up()
        yield running
    finally:
        running.stop()
