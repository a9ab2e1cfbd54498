"""The mesh starts, stops and restarts on its data dir without losing anything."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from cs3_localmesh.mesh import Mesh
from localmesh_helpers import OC, Dav


def test_restart_on_the_same_data_dir_keeps_users_files_and_ids(tmp_path):
    first = Mesh(tmp_path, n_sites=1, seed="minimal").start()
    try:
        user = first.add_user("a", "eve", display_name="Eve")
        session = Dav(first.site("a").url, user)
        session.mkcol("keep")
        session.put("keep/nb.ipynb", b"{}")
        before = session.stat("keep/nb.ipynb", [f"{{{OC}}}fileid", "{DAV:}getetag"])
    finally:
        first.stop()
    second = Mesh(tmp_path, n_sites=1, seed="minimal").start()
    try:
        session = Dav(second.site("a").url, user)  # same app password still works
        after = session.stat("keep/nb.ipynb", [f"{{{OC}}}fileid", "{DAV:}getetag"])
        assert after.props.keys() == before.props.keys()
        assert after.text(f"{{{OC}}}fileid") == before.text(f"{{{OC}}}fileid")
        assert after.text("{DAV:}getetag") == before.text("{DAV:}getetag")
        assert session.request("GET", "keep/nb.ipynb").content == b"{}"
        new = session.put("keep/second.txt", b"2")
        assert new.status_code == 201
        alice = requests.request(
            "PROPFIND",
            second.site("a").url + "/remote.php/dav/files/alice/",
            auth=("alice", "alice-pass"),
            headers={"Depth": "0"},
            timeout=10,
        )
        assert alice.status_code == 207  # seeding twice did not clash
    finally:
        second.stop()


def test_two_sites_start_with_distinct_urls(tmp_path):
    started = time.monotonic()
    with Mesh(tmp_path, n_sites=2, seed=None) as mesh:
        print(f"2 sites started in {time.monotonic() - started:.2f} s")
        assert [site.name for site in mesh.sites] == ["a", "b"]
        assert mesh.site("a").url != mesh.site("b").url
        for site in mesh.sites:
            assert requests.get(site.url + "/status.php", timeout=10).ok


def test_cli_prints_sites_and_demo_users_and_stops_on_ctrl_c(tmp_path):
    ready = tmp_path / "ready.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cs3_localmesh",
            "serve",
            "--sites",
            "2",
            "--data-dir",
            str(tmp_path),
            "--seed",
            "demo",
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        while not ready.exists():
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "site a: http://127.0.0.1:" in output
    assert "site b: http://127.0.0.1:" in output
    assert "user alice@a  password alice-pass" in output
    assert "user bob@b  password bob-pass" in output
    assert "Traceback" not in output


def test_cli_refuses_bad_arguments_with_a_message(tmp_path):
    for args, message in (
        (["--sites", "0"], "between 1 and 26"),
        (["--sites", "2", "--ports", "8081"], "one port per site"),
    ):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "cs3_localmesh",
                "serve",
                "--data-dir",
                str(tmp_path),
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2
        assert message in result.stderr


def test_sites_listen_on_the_ports_asked_for(tmp_path):
    ports = []
    for _ in range(2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    with Mesh(tmp_path, n_sites=2, ports=ports, seed=None) as mesh:
        assert [site.url for site in mesh.sites] == [f"http://127.0.0.1:{p}" for p in ports]
        assert requests.get(mesh.site("b").url + "/status.php", timeout=10).ok


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has exited; only reaping is left


def test_sites_stop_when_the_process_that_started_them_dies(tmp_path):
    """A crashed test run must not leave sites running on a shared machine."""
    script = (
        "import sys, time\n"
        "from cs3_localmesh.mesh import Mesh\n"
        f"Mesh({str(tmp_path)!r}, n_sites=1, seed=None).start()\n"
        "print('up', flush=True)\n"
        "time.sleep(600)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout.readline().strip() == "up"
        sites_pid = json.loads((tmp_path / "ready.json").read_text())["pid"]
        assert _running(sites_pid)
        parent.kill()
    deadline = time.monotonic() + 60  # a bound on waiting, not a speed requirement
    while _running(sites_pid):
        assert time.monotonic() < deadline, "the sites outlived the process that started them"
        time.sleep(0.1)
