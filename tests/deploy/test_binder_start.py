"""``binder/start`` brings the demo mesh up, configures Jupyter as alice and runs the command.

Binder itself cannot run here, so the script is run the way Binder runs it: with the notebook
server's command as arguments, ``python`` from the environment on PATH and a fresh home. The
commands given are small programs that check what a notebook server would get.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
START = REPO / "binder" / "start"

#: Lists the user's home on the configured site with the configured credential, adds a file,
#: and reports what it saw; exits with the status given as its argument.
PROBE = """
import json, os, sys, requests
root = f"{os.environ['CS3_SITE_URL']}/remote.php/dav/files/{os.environ['CS3_USER']}/"
auth = (os.environ["CS3_USER"], os.environ["CS3_PASSWORD"])
listing = requests.request("PROPFIND", root + "Notebooks/", auth=auth,
                           headers={"Depth": "1"}, timeout=30)
written = requests.put(root + "Notebooks/run-" + sys.argv[2] + ".txt", data=b"kept",
                       auth=auth, timeout=30)
print("RESULT " + json.dumps({
    "site": os.environ["CS3_SITE_URL"], "user": os.environ["CS3_USER"],
    "directory": os.environ["CS3_MESH_DIRECTORY_URL"],
    "listing_status": listing.status_code, "listing": listing.text,
    "put_status": written.status_code,
}), flush=True)
sys.exit(int(sys.argv[1]))
"""


@pytest.fixture
def binder_env(tmp_path) -> dict[str, str]:
    """A Binder-like environment: a fresh home, the image's python first on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CS3_", "JUPYTER", "XDG_"))}
    env.update(
        {
            "HOME": str(home),
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
            "PYTHONPATH": str(REPO),
            "JUPYTER_CONFIG_PATH": str(REPO / "jupyter-config"),
            # Any free ports: several test runs may share this machine.
            "CS3_DEMO_PORTS": "0,0",
        }
    )
    return env


def run_start(env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(START), *command], env=env, capture_output=True, text=True, timeout=90
    )


def result_of(output: str) -> dict:
    (line,) = [line for line in output.splitlines() if line.startswith("RESULT ")]
    return json.loads(line.removeprefix("RESULT "))


def test_start_runs_the_command_as_alice_against_the_running_mesh(binder_env):
    first = run_start(binder_env, sys.executable, "-c", PROBE, "7", "one")
    assert first.returncode == 7, first.stderr  # the command's own exit status
    seen = result_of(first.stdout)
    assert seen["user"] == "alice"
    assert seen["directory"].startswith(seen["site"])
    assert seen["listing_status"] == 207
    assert "welcome.ipynb" in seen["listing"]  # the demo data is there
    assert seen["put_status"] in (201, 204)
    assert "alice-pass" in first.stdout  # the banner tells the user how to log in elsewhere

    # The mesh is stopped once the command has ended...
    with pytest.raises(requests.ConnectionError):
        requests.get(seen["site"], timeout=5)

    # ...and its data, kept under the home folder, is there on the next start.
    home = Path(binder_env["HOME"])
    assert (home / ".local" / "share" / "cs3_jupyter" / "demo-mesh").is_dir()
    second = run_start(binder_env, sys.executable, "-c", PROBE, "0", "two")
    assert second.returncode == 0, second.stderr
    assert "run-one.txt" in result_of(second.stdout)["listing"]


def test_the_server_started_by_start_is_configured_for_the_site(binder_env):
    done = run_start(binder_env, sys.executable, "-m", "cs3_jupyter.show_config", "--json")
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout[done.stdout.index("\n[") :])
    assert report["extension_loaded"] is True, report["problems"]
    assert report["contents_manager_active"] is True  # the EFSS is the file system
    assert report["site"]["user"] == "alice"
    assert report["site"]["url"].startswith("http://127.0.0.1:")
    assert report["site"]["credential_source"] == "password"
    assert report["site"]["mesh_directory_url"].startswith(report["site"]["url"])


@contextlib.contextmanager
def started(binder_env: dict[str, str], script: str) -> Iterator[subprocess.Popen[str]]:
    """``binder/start`` running ``python -c script``, with no terminal; killed if still up."""
    start = subprocess.Popen(
        [str(START), sys.executable, "-c", script],
        env=binder_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield start
    finally:
        if start.poll() is None:
            start.kill()
            start.wait()
        start.stdout.close()
        start.stderr.close()


def test_sigterm_stops_the_command_and_then_the_mesh(binder_env):
    waiter = (
        "import os, sys, time\n"
        "print('RESULT {\"site\": \"' + os.environ['CS3_SITE_URL'] + '\"}', flush=True)\n"
        "time.sleep(120)\n"
    )
    with started(binder_env, waiter) as start:
        site = ""
        for line in start.stdout:
            if line.startswith("RESULT "):
                site = json.loads(line.removeprefix("RESULT "))["site"]
                break
        assert site, start.stderr.read()
        assert requests.get(site, timeout=5).status_code < 500  # the mesh is up meanwhile
        start.send_signal(signal.SIGTERM)
        assert start.wait(timeout=60) == 128 + signal.SIGTERM
    with pytest.raises(requests.ConnectionError):  # stopped before start returned
        requests.get(site, timeout=5)


def test_an_interrupt_without_a_terminal_asks_the_command_to_stop_cleanly(binder_env):
    """Ctrl-C sent by a script (no terminal): Jupyter would exit at once on SIGINT, without
    shutting its kernels down; the command is asked with SIGTERM instead."""
    waiter = (
        "import signal, sys, time\n"
        "def stop(signum, frame):\n"
        "    print('STOPPED BY', signal.Signals(signum).name, flush=True)\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "signal.signal(signal.SIGINT, stop)\n"
        "print('READY', flush=True)\n"
        "time.sleep(120)\n"
    )
    with started(binder_env, waiter) as start:
        for line in start.stdout:
            if line.startswith("READY"):
                break
        start.send_signal(signal.SIGINT)
        rest, errors = start.communicate(timeout=60)
    assert "STOPPED BY SIGTERM" in rest, (rest, errors)
    assert start.returncode == 0


def test_help_prints_usage_and_starts_nothing(binder_env):
    shown = run_start(binder_env, "--help")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("usage: python -m cs3_localmesh.demo")
    assert "CS3_DEMO_PORTS" in shown.stdout
    # No mesh was started: the sites never created their data folder in the fresh home.
    assert not (Path(binder_env["HOME"]) / ".local" / "share" / "cs3_jupyter").exists()


def test_bad_settings_and_commands_get_a_clear_message(binder_env):
    bad_ports = run_start({**binder_env, "CS3_DEMO_PORTS": "eighty"}, "true")
    assert bad_ports.returncode == 2
    assert "CS3_DEMO_PORTS" in bad_ports.stderr
    assert "Traceback" not in bad_ports.stderr

    missing = run_start(binder_env, "no-such-command-here")
    assert missing.returncode == 127
    assert "command not found: no-such-command-here" in missing.stderr
    assert "Traceback" not in missing.stderr
