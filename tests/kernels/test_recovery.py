"""Working copies left by a server that died are recovered by the next server of the user.

Real Jupyter servers against the local mesh: a server is killed with SIGKILL (no shutdown
code runs, as with the OOM killer or a power loss) while its kernel's copy holds files
written after the last sync; a new server sharing the same ``working_copy_dir`` must put
them on the EFSS with the normal sync's rules and delete the copy, and must leave alone what
is not provably abandoned. Files are written into the copy by the test itself, which is what
a kernel's background job does after its cell's sync.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cs3_localmesh.mesh import Mesh
from jupyter_process import JupyterProcess
from kernel_helpers import KernelSession, Lang, Person, eventually, notebook_bytes, start_server

from cs3_jupyter.kernels import owner
from cs3_jupyter.kernels.sync.journal import RECORD, Journal, read_record
from cs3_jupyter.kernels.sync.local import LocalFile
from cs3_jupyter.kernels.sync.plan import Synced

FOLDER = "Recovery ü #1"
KERNEL = "minish"  # recovery is the server's business: any kernel will do, this one starts fast
SUMMARY = "Working copies in "


@pytest.fixture
def servers(
    mesh: Mesh, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., JupyterProcess]]:
    """``servers(person)``: one more server for that person, sharing their working copies."""
    started: list[JupyterProcess] = []

    def start(person: Person, **kernel_config: Any) -> JupyterProcess:
        base = tmp_path_factory.mktemp(f"jupyter-{person.info.user}-next")
        config = {"working_copy_dir": str(person.base / "working-copies"), **kernel_config}
        server = start_server(mesh, base, person.info, "a", config)
        started.append(server)
        assert server.url
        return server

    yield start
    for server in started:
        server.stop()


def _kernel_with_copy(person: Person) -> tuple[KernelSession, Path, int]:
    """A kernel for a notebook in FOLDER, synced once: (session, its copy, its pid)."""
    if FOLDER not in person.names(""):
        person.dav.mkcol(FOLDER)
    person.put(f"{FOLDER}/analysis.ipynb", notebook_bytes())
    session = KernelSession(person.server, f"{FOLDER}/analysis.ipynb", KERNEL)
    lang = Lang(KERNEL)
    pid = int(session.run(lang.pid()).stdout.strip())
    cwd = Path(session.run(lang.cwd()).stdout.strip())
    assert cwd.name == FOLDER
    return session, cwd, pid


def _kill(person: Person, session: KernelSession, kernel_pid: int) -> None:
    """SIGKILL the person's server (no shutdown code runs), then its orphaned kernel."""
    person.server.process.kill()
    person.server.process.wait(10)
    os.kill(kernel_pid, signal.SIGKILL)
    session.ws.close()


def _log(server: JupyterProcess) -> str:
    return server.log.read_text(errors="replace")


def test_what_a_killed_servers_kernel_wrote_reaches_the_efss_at_the_next_start(person, servers):
    alice = person()
    alice.dav.mkcol(FOLDER)
    alice.put(f"{FOLDER}/shared.csv", "v1")
    alice.put(f"{FOLDER}/notes.txt", "v1")
    alice.put(f"{FOLDER}/kept.txt", "v1")
    session, copy, kernel_pid = _kernel_with_copy(alice)
    assert (copy / "shared.csv").read_text() == "v1"
    # After the last sync the kernel writes a new file (in a new folder), changes two files
    # and deletes one; meanwhile a colleague changes one of those files on the EFSS.
    (copy / "out").mkdir()
    (copy / "out" / "late result.csv").write_text("x,y\n1,2\n")
    (copy / "notes.txt").write_text("kernel's notes")
    (copy / "shared.csv").write_text("kernel")
    (copy / "kept.txt").unlink()
    alice.put(f"{FOLDER}/shared.csv", "colleague")
    _kill(alice, session, kernel_pid)
    assert copy.exists()

    next_server = servers(alice)
    eventually(lambda: not copy.parent.exists(), "the recovered copy is deleted")
    assert alice.text(f"{FOLDER}/out/late result.csv") == "x,y\n1,2\n"
    assert alice.text(f"{FOLDER}/notes.txt") == "kernel's notes"
    # Changed on both sides: the EFSS version keeps the name, the kernel's is beside it.
    assert alice.text(f"{FOLDER}/shared.csv") == "colleague"
    names = alice.names(FOLDER)
    copies = [n for n in names if n.startswith("shared (conflict from kernel ")]
    assert len(copies) == 1 and copies[0].endswith(".csv"), names
    assert alice.text(f"{FOLDER}/{copies[0]}") == "kernel"
    # A recovery deletes nothing on the EFSS: a file missing from an old copy proves nothing.
    assert alice.text(f"{FOLDER}/kept.txt") == "v1"
    eventually(lambda: SUMMARY in _log(next_server), "the recovery says what it did")
    log = _log(next_server)
    assert f"Recovered the working copy of EFSS folder '{FOLDER}'" in log
    assert "'shared.csv' was changed both by this kernel and on the EFSS" in log
    for secret in {alice.info.password, alice.info.app_password} - {None}:
        assert secret not in log


def test_copies_of_running_servers_and_copies_without_a_record_are_left_alone(person, servers):
    alice = person()
    session, live_copy, _ = _kernel_with_copy(alice)
    (live_copy / "not synced yet.txt").write_text("live")
    root = alice.base / "working-copies"
    # A copy whose record names a dead server whose pid now belongs to a running one (the
    # live server's pid, another start time): pid reuse must not make it look alive.
    record = json.loads((live_copy.parent / RECORD).read_text())
    assert alice.info.password not in json.dumps(record)
    record["owner"]["start"] = (record["owner"]["start"] or 0) + 1
    reused = root / "deadbeef-reused"
    (reused / FOLDER).mkdir(parents=True)
    (reused / FOLDER / "from a reused pid.txt").write_text("reused")
    (reused / RECORD).write_text(json.dumps(record))
    # Copies without a readable record: an older layout, and a damaged record.
    older = root / "0ld0ld00-layout"
    (older / FOLDER).mkdir(parents=True)
    (older / FOLDER / "old.txt").write_text("old")
    damaged = root / "d4m4g3d0-record"
    (damaged / FOLDER).mkdir(parents=True)
    (damaged / FOLDER / "damaged.txt").write_text("damaged")
    (damaged / RECORD).write_text('{"version": 1, "owner": ')
    try:
        second = servers(alice)  # another server of the same user, sharing the folder
        eventually(lambda: SUMMARY in _log(second), "the recovery pass ends")
        assert not reused.exists()
        assert alice.text(f"{FOLDER}/from a reused pid.txt") == "reused"
        # The running server's copy, unsynced file included, is untouched.
        assert (live_copy / "not synced yet.txt").read_text() == "live"
        assert (live_copy.parent / RECORD).exists()
        assert "not synced yet.txt" not in alice.names(FOLDER)
        # The copies without a record are kept as they are, and the log names them.
        assert (older / FOLDER / "old.txt").read_text() == "old"
        assert (damaged / FOLDER / "damaged.txt").read_text() == "damaged"
        log = _log(second)
        assert f"Left alone: {older} has no working copy record" in log
        assert f"Left alone: {damaged} has no working copy record" in log
        assert "1 recovered, 0 kept for the next start, 2 left alone, 1 of running servers" in log
    finally:
        session.close()


def test_a_copy_the_site_refuses_is_kept_and_recovered_at_a_later_start(person, servers, mesh):
    alice = person()
    session, copy, kernel_pid = _kernel_with_copy(alice)
    (copy / "precious.txt").write_text("only here")
    _kill(alice, session, kernel_pid)
    mesh.set_fault("a", "status", code=503, prefix=f"/remote.php/dav/files/{alice.info.user}/")
    try:
        refused = servers(alice)
        eventually(lambda: SUMMARY in _log(refused), "the recovery pass ends")
        log = _log(refused)
        assert f"The working copy of EFSS folder '{FOLDER}' left by a stopped server" in log
        assert f"It stays in {copy.parent} and is tried again at the next start" in log
        assert "0 recovered, 1 kept for the next start" in log
        for secret in {alice.info.password, alice.info.app_password} - {None}:
            assert secret not in log
        assert (copy / "precious.txt").read_text() == "only here"
        refused.stop()
    finally:
        mesh.clear_faults("a")
    assert "precious.txt" not in alice.names(FOLDER)
    servers(alice)
    eventually(lambda: not copy.parent.exists(), "the copy is recovered once the site answers")
    assert alice.text(f"{FOLDER}/precious.txt") == "only here"


def test_a_copy_the_last_sync_could_not_save_is_kept_at_shutdown(person, servers, mesh):
    """The site is down when the kernel shuts down: the copy stays and the next start saves it."""
    alice = person()
    session, copy, _ = _kernel_with_copy(alice)
    (copy / "last words.txt").write_text("written before shutdown")
    mesh.set_fault("a", "status", code=503, prefix=f"/remote.php/dav/files/{alice.info.user}/")
    try:
        session.close()  # returns once the last sync has run
    finally:
        mesh.clear_faults("a")
    assert (copy / "last words.txt").read_text() == "written before shutdown"
    assert "holds files not saved to the EFSS" in _log(alice.server)
    alice.server.stop()
    servers(alice)
    eventually(lambda: not copy.parent.exists(), "the kept copy is recovered at the next start")
    assert alice.text(f"{FOLDER}/last words.txt") == "written before shutdown"


def test_an_owner_is_gone_when_its_pid_is_free_or_reused_or_the_machine_restarted():
    me = owner.this_process()
    assert owner.is_alive(me)
    assert not owner.is_alive({**me, "start": me["start"] + 1})  # the pid, reused
    assert not owner.is_alive({**me, "boot_id": "another boot"})
    assert owner.is_alive({**me, "host": "another host", "pid": 999_999_999})  # not ours to judge
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert not owner.is_alive({**me, "pid": int(ended.stdout), "start": None})


def test_a_record_reads_back_what_was_written(tmp_path):
    header = {"owner": owner.this_process(), "site": "http://site", "user": "u", "folder": "/f"}
    state = {
        "a/b c.csv": Synced('"e1"', 3, LocalFile(3, 1_733_000_000_123_456_789), "ab" * 20),
        "new.txt": Synced(None, None, LocalFile(0, 1), "cd" * 20),
    }
    journal = Journal(str(tmp_path / RECORD), header)
    journal.save(state, {"a": '"f1"', "b": None})
    record = read_record(str(tmp_path / RECORD))
    assert record.state == state
    assert record.synced_folders == {"a": '"f1"', "b": None}
    assert {k: record.header[k] for k in header} == header
    assert sorted(os.listdir(tmp_path)) == [RECORD]  # no temporary file left behind
