"""``jupyter cs3-config`` shows what the server would use, from every config source, no secret.

The command runs in a subprocess with a clean environment and its own config folders, the way an
admin runs it in a single-user container.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-staple"
TOKEN = "eyJhbGciOi.secret-bearer.token"


@pytest.fixture
def run_command(tmp_path):
    """Run the command with ``env`` and the given admin config folder; stdout and stderr."""
    admin = tmp_path / "etc-jupyter"
    admin.mkdir()

    def environment(env: dict[str, str]) -> dict[str, str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("CS3_", "JUPYTER"))}
        clean.update(
            {
                # The folder the wheel installs into etc/jupyter, then the admin's.
                "JUPYTER_CONFIG_PATH": os.pathsep.join([str(REPO / "jupyter-config"), str(admin)]),
                "JUPYTER_CONFIG_DIR": str(tmp_path / "user-config"),
                "JUPYTER_DATA_DIR": str(tmp_path / "data"),
                "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
                "PYTHONPATH": str(REPO),
                **env,
            }
        )
        return clean

    def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cs3_jupyter.show_config", *args],
            env=environment(env),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )

    run.admin = admin
    run.environment = environment
    run.runtime_dir = tmp_path / "runtime"
    return run


def test_reports_environment_settings_without_any_secret(run_command):
    result = run_command(
        {
            "CS3_SITE_URL": f"https://alice:{PASSWORD}@cloud.example.org/",
            "CS3_USER": "alice",
            "CS3_PASSWORD": PASSWORD,
            "CS3_MESH_DIRECTORY_URL": "https://mesh.example.org/providers.json",
            "CS3_MANAGE_CONTENTS": "0",
        },
        "--json",
    )
    (report,) = json.loads(result.stdout)
    assert report["extension_enabled"] is True
    assert report["extension_loaded"] is True
    # A credential inside the URL is taken out of it (used only as the login, never shown);
    # the trailing slash is normalized away.
    assert report["site"]["url"] == "https://cloud.example.org"
    assert report["site"]["user"] == "alice"
    assert report["site"]["credential_source"] == "password"
    assert report["site"]["mesh_directory_url"] == "https://mesh.example.org/providers.json"
    assert "CS3_PASSWORD" in report["environment"]
    assert PASSWORD not in result.stdout + result.stderr


def test_example_json_config_is_read_and_named(run_command):
    config = run_command.admin / "jupyter_server_config.json"
    config.write_text((REPO / "examples" / "jupyter_server_config.json").read_text())
    result = run_command({"CS3_USER": "bob", "CS3_TOKEN": TOKEN, "CS3_MANAGE_CONTENTS": "0"})
    assert "https://cloud.example.org" in result.stdout
    assert "https://mesh.example.org/providers.json" in result.stdout
    assert "credential source        token" in result.stdout
    assert str(config) in result.stdout
    assert TOKEN not in result.stdout + result.stderr


def test_example_python_config_wins_over_environment(run_command):
    example = REPO / "examples" / "jupyter_server_config.py"
    (run_command.admin / "jupyter_server_config.py").write_text(example.read_text())
    env = {
        "JUPYTERHUB_USER": "erin",
        "CS3_SITE_URL": "https://from-env.example.org",
        "CS3_MANAGE_CONTENTS": "0",
    }
    (report,) = json.loads(run_command(env, "--json").stdout)
    assert report["extension_enabled"] is True
    assert report["site"]["url"] == "https://cloud.example.org"
    assert report["site"]["user"] == "erin"
    assert report["site"]["credential_source"] == "token_file"
    # The hub has not written that file here: the report says so.
    assert report["site"]["token_file"] == "/srv/jupyterhub/cs3-tokens/erin"
    assert report["site"]["token_file_state"] == "missing"


def test_token_file_is_described_never_read_out(run_command, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    result = run_command(
        {
            "CS3_SITE_URL": "https://cloud.example.org",
            "CS3_USER": "carol",
            "CS3_TOKEN_FILE": str(token_file),
            "CS3_MANAGE_CONTENTS": "0",
        }
    )
    assert f"token_file ({token_file}: readable)" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


def test_settings_hidden_in_a_config_fragment_are_flagged(run_command):
    fragments = run_command.admin / "jupyter_server_config.d"
    fragments.mkdir()
    (fragments / "site.json").write_text(json.dumps({"CS3Site": {"url": "https://lost.example"}}))
    (report,) = json.loads(run_command({}, "--json").stdout)
    assert report["site"]["url"] == ""
    assert any("site.json" in problem for problem in report["problems"])


def test_a_configured_site_makes_the_efss_the_file_system(run_command):
    (report,) = json.loads(
        run_command(
            {"CS3_SITE_URL": "https://cloud.example.org", "CS3_USER": "dana"}, "--json"
        ).stdout
    )
    assert report["extension_loaded"] is True, report["problems"]
    assert report["contents_manager_active"] is True
    assert report["contents_manager"].startswith("cs3_jupyter.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(run_command, cwd: Path, env: dict[str, str]) -> Iterator[None]:
    """A real ``jupyter server`` with ``env``, listed in the runtime folder the command reads."""
    command = [sys.executable, "-m", "jupyter_server", f"--port={free_port()}", "--no-browser"]
    command += [f"--IdentityProvider.token={secrets.token_hex(16)}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(
        command,
        env=run_command.environment(env),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(run_command.runtime_dir.glob("jpserver-*.json")):
            assert server.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_asks_the_running_server_first(run_command, tmp_path):
    """What the running server uses wins over what this shell's environment says now."""
    server_env = {
        "CS3_SITE_URL": "https://running.example.org",
        "CS3_USER": "frank",
        "CS3_PASSWORD": PASSWORD,
        "CS3_MANAGE_CONTENTS": "0",
    }
    with running_server(run_command, tmp_path, server_env):
        now = {"CS3_SITE_URL": "https://edited-since.example.org", "CS3_USER": "grace"}
        result = run_command(now, "--json")
        (report,) = json.loads(result.stdout)
        assert report["source"].startswith("running server http://")
        assert report["site"]["url"] == "https://running.example.org"
        assert report["site"]["user"] == "frank"
        assert report["site"]["credential_source"] == "password"
        assert PASSWORD not in result.stdout

        local = run_command(now, "--json", "--local")
        assert json.loads(local.stdout)[0]["site"]["user"] == "grace"


@pytest.mark.parametrize("right_password", [False, True])
def test_says_whether_the_server_can_sign_in_to_its_site(
    run_command, tmp_path, mesh, new_user, right_password
):
    """Settings that look right can carry a wrong password: the running server tries it."""
    user = new_user("a")
    password = user.password if right_password else "not-" + user.password
    server_env = {
        "CS3_SITE_URL": mesh.site("a").url,
        "CS3_USER": user.user,
        "CS3_PASSWORD": password,
        "CS3_MANAGE_CONTENTS": "0",
    }
    with running_server(run_command, tmp_path, server_env):
        result = run_command({})
    line = next(row for row in result.stdout.splitlines() if row.startswith("site login"))
    if right_password:
        assert "works" in line and f"({user.user}@" in line, line
    else:
        assert "FAILS" in line and "refused" in line, line
    assert password not in result.stdout + result.stderr
