"""The kernel's working folder is the notebook's EFSS folder, kept in step around executions.

Each test runs with ipykernel and with ``minish`` (a kernel for ``sh`` with no IPython in it),
through a real Jupyter server, against the local mesh over real HTTP.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
import requests
from kernel_helpers import KERNELS, KernelSession, Lang, Person, eventually, notebook_bytes

from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.transport.auth import make_auth

pytestmark = pytest.mark.parametrize("kernel", KERNELS)

FOLDER = "Projet ü #1 %20?"


def _open(person: Person, kernel: str, folder: str = FOLDER) -> KernelSession:
    person.dav.mkcol(folder) if folder not in person.names("") else None
    person.put(f"{folder}/analysis.ipynb", notebook_bytes())
    return KernelSession(person.server, f"{folder}/analysis.ipynb", kernel)


def test_the_kernel_runs_in_a_private_copy_of_the_notebook_folder(person, kernel):
    alice = person()
    alice.dav.mkcol(FOLDER)
    alice.dav.mkcol(f"{FOLDER}/data")
    alice.put(f"{FOLDER}/data/mesures 1#%?.csv", "a,b\n1,2\n")
    session = _open(alice, kernel)
    lang = Lang(kernel)
    try:
        out = session.run(lang.read("data/mesures 1#%?.csv"))
        assert out.stdout == "a,b\n1,2\n", out
        cwd = session.run(lang.cwd()).stdout.strip()
        assert os.path.basename(cwd) == FOLDER
        assert cwd.startswith(str(alice.base / "working-copies"))
        kernel_dir = os.path.dirname(cwd)
        assert stat.S_IMODE(os.stat(kernel_dir).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(alice.base / "working-copies").st_mode) == 0o700
    finally:
        session.close()
    eventually(lambda: not os.path.exists(kernel_dir), "working copy removed at shutdown")


def test_changes_go_both_ways_between_executions(person, kernel, mesh):
    alice = person()
    lang = Lang(kernel)
    alice.dav.mkcol(FOLDER)
    alice.put(f"{FOLDER}/old.txt", "old")
    alice.put(f"{FOLDER}/gone elsewhere.txt", "bye")
    session = _open(alice, kernel)
    try:
        assert session.run(lang.read("old.txt")).stdout == "old"
        # Changed, added and deleted on the EFSS (web UI, sync client, a colleague)...
        alice.put(f"{FOLDER}/old.txt", "changed on the EFSS")
        alice.put(f"{FOLDER}/new remote #.txt", "new")
        alice.dav.delete(f"{FOLDER}/gone elsewhere.txt")
        # ... are there when the next cell runs.
        assert session.run(lang.read("old.txt")).stdout == "changed on the EFSS"
        assert session.run(lang.read("new remote #.txt")).stdout == "new"
        assert session.run(lang.exists("gone elsewhere.txt")).stdout.strip() == "False"
        # Written, changed and deleted by the kernel: on the EFSS when the cell has finished.
        session.run(lang.write("result 100%.csv", "x,y\n1,2\n"))
        assert alice.text(f"{FOLDER}/result 100%.csv") == "x,y\n1,2\n"
        session.run(lang.write("old.txt", "changed by the kernel"))
        assert alice.text(f"{FOLDER}/old.txt") == "changed by the kernel"
        session.run(lang.delete("new remote #.txt"))
        assert "new remote #.txt" not in alice.names(FOLDER)
        session.run(
            lang.mkdir("out/deep")
            + ("\n" if lang.python else "; ")
            + lang.write("out/deep/r.txt", "deep")
        )
        assert alice.text(f"{FOLDER}/out/deep/r.txt") == "deep"
        # A file changed in a subfolder on the EFSS reaches the kernel too.
        alice.put(f"{FOLDER}/out/deep/r.txt", "deeper")
        assert session.run(lang.read("out/deep/r.txt")).stdout == "deeper"
    finally:
        session.close()


def test_nothing_changed_costs_one_propfind_per_execution(person, kernel, mesh):
    alice = person()
    lang = Lang(kernel)
    alice.dav.mkcol(FOLDER)
    alice.dav.mkcol(f"{FOLDER}/sub")
    alice.put(f"{FOLDER}/sub/a.txt", "a")
    session = _open(alice, kernel)
    try:
        session.run(lang.read("sub/a.txt"))
        mesh.reset_stats("a")
        out = session.run(lang.exists("sub/a.txt"))
        assert out.stdout.strip() == "True"
        assert mesh.stats("a") == {"PROPFIND": 1, "total": 1}
    finally:
        session.close()


def test_both_sides_changed_keeps_both_versions_and_says_so(person, kernel):
    alice = person()
    lang = Lang(kernel)
    alice.dav.mkcol(FOLDER)
    alice.put(f"{FOLDER}/shared.csv", "v1")
    alice.put(f"{FOLDER}/late.csv", "v1")
    session = _open(alice, kernel)
    try:
        session.run(lang.read("shared.csv"))
        # 1. The kernel changes the file after its cell ended (a background job) while a
        #    colleague changes it on the EFSS: found by the sync before the next cell.
        session.run(lang.later_write("shared.csv", "kernel", 0.2))
        time.sleep(1.0)  # the kernel's write has happened; no sync ran since
        alice.put(f"{FOLDER}/shared.csv", "colleague")
        out = session.run(lang.exists("shared.csv"))
        assert "'shared.csv' was changed both by this kernel and on the EFSS" in out.stderr
        copies = [n for n in alice.names(FOLDER) if n.startswith("shared (conflict from kernel ")]
        assert len(copies) == 1 and copies[0].endswith(".csv"), copies
        assert alice.text(f"{FOLDER}/shared.csv") == "colleague"
        assert alice.text(f"{FOLDER}/{copies[0]}") == "kernel"
        assert session.run(lang.read("shared.csv")).stdout == "colleague"
        assert session.run(lang.read(copies[0])).stdout == "kernel"
        # 2. The EFSS changes while the cell that writes the file runs: found by the upload.
        msg_id = session.send(lang.slow_write("late.csv", "kernel late", 1.5))
        session.collect(msg_id, until_input=True)
        alice.put(f"{FOLDER}/late.csv", "colleague late")
        out = session.collect(msg_id)
        assert "'late.csv' was changed both by this kernel and on the EFSS" in out.stderr, out
        assert out.order.index("stream") < len(out.order) - 1  # told before the cell ended
        late = [n for n in alice.names(FOLDER) if n.startswith("late (conflict from kernel ")]
        assert len(late) == 1
        assert alice.text(f"{FOLDER}/late.csv") == "colleague late"
        assert alice.text(f"{FOLDER}/{late[0]}") == "kernel late"
    finally:
        session.close()


def test_a_file_over_the_cap_is_not_downloaded_and_the_user_is_told_once(person, kernel):
    alice = person(sync_max_file_bytes=1000)
    lang = Lang(kernel)
    alice.dav.mkcol(FOLDER)
    alice.put(f"{FOLDER}/big.bin", b"x" * 5000)
    alice.put(f"{FOLDER}/small.txt", "small")
    session = _open(alice, kernel)
    try:
        first = session.run(lang.exists("big.bin"))
        assert first.stdout.strip() == "False"
        assert "'big.bin' (5,000 bytes) was not copied" in first.stderr
        assert f"efss://{FOLDER}/big.bin" in first.stderr
        second = session.run(lang.read("small.txt"))
        assert second.stdout == "small" and "big.bin" not in second.stderr
        # The kernel's own file of the same name does not replace the EFSS one.
        session.run(lang.write("big.bin", "mine"))
        assert alice.dav.stat(f"{FOLDER}/big.bin").size == 5000
    finally:
        session.close()


def _ocs(site_url: str, user, method: str, endpoint: str, **data):
    response = requests.request(
        method,
        f"{site_url}/ocs/v2.php/apps/files_sharing/api/v1{endpoint}",
        params={"format": "json"},
        data=data,
        auth=(user.user, user.password),
        headers={"OCS-APIRequest": "true"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["ocs"]["data"]


def test_a_notebook_in_a_received_federated_share_works_the_same(person, kernel, mesh):
    """Bob at site b shares a folder; Alice at site a runs a notebook in it: the data is at b."""
    alice = person("a")
    bob = mesh.add_user("b", f"bob{os.getpid()}{time.monotonic_ns() % 10**6}")
    bob_dav = DavClient(mesh.site("b").url, bob.user, make_auth(bob.user, bob.password))
    bob_dav.mkcol("Joint study")
    bob_dav.put("Joint study/analysis.ipynb", notebook_bytes())
    bob_dav.put("Joint study/data.csv", b"from bob\n")
    _ocs(
        mesh.site("b").url,
        bob,
        "POST",
        "/shares",
        path="/Joint study",
        shareType=6,
        shareWith=f"{alice.info.user}@{mesh.site('a').url}",
        permissions=15,
    )
    for pending in _ocs(mesh.site("a").url, alice.info, "GET", "/remote_shares/pending"):
        _ocs(mesh.site("a").url, alice.info, "POST", f"/remote_shares/pending/{pending['id']}")
    assert "Joint study" in alice.names("")
    lang = Lang(kernel)
    session = KernelSession(alice.server, "Joint study/analysis.ipynb", kernel)
    try:
        assert session.run(lang.read("data.csv")).stdout == "from bob\n"
        session.run(lang.write("alice result.txt", "from alice"))
        assert bob_dav.download("Joint study/alice result.txt")[0] == b"from alice"
        bob_dav.put("Joint study/data.csv", b"bob again\n")
        assert session.run(lang.read("data.csv")).stdout == "bob again\n"
    finally:
        session.close()


def test_no_efss_secret_reaches_the_kernel(person, kernel):
    alice = person()
    lang = Lang(kernel)
    session = _open(alice, kernel)
    try:
        pid = int(session.run(lang.pid()).stdout.strip())
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        names = {item.partition(b"=")[0].decode() for item in environ if item}
        for secret in {alice.info.password, alice.info.app_password}:
            assert secret.encode() not in b"\0".join(environ)
        assert not names & {"CS3_PASSWORD", "CS3_TOKEN", "CS3_TOKEN_FILE"}
        assert {"CS3_EFSS_URL", "CS3_EFSS_TOKEN"} <= names
    finally:
        session.close()


def test_a_change_beats_a_deletion_on_either_side(person, kernel):
    alice = person()
    lang = Lang(kernel)
    alice.dav.mkcol(FOLDER)
    alice.put(f"{FOLDER}/kept by the EFSS.txt", "v1")
    alice.put(f"{FOLDER}/kept by the kernel.txt", "v1")
    session = _open(alice, kernel)
    try:
        session.run(lang.read("kept by the EFSS.txt"))
        # The kernel deletes one file and changes the other after its cell (a background job),
        # while on the EFSS the first is changed and the second deleted.
        background = (
            "import os, threading\n"
            "def later():\n"
            "    os.remove('kept by the EFSS.txt')\n"
            "    open('kept by the kernel.txt', 'w').write('kernel v2')\n"
            "threading.Timer(0.2, later).start()"
            if lang.python
            else "(sleep 0.2; rm 'kept by the EFSS.txt'; printf 'kernel v2' > 'kept by the "
            "kernel.txt') >/dev/null 2>&1 &"
        )
        session.run(background)
        time.sleep(1.0)
        alice.put(f"{FOLDER}/kept by the EFSS.txt", "efss v2")
        alice.dav.delete(f"{FOLDER}/kept by the kernel.txt")
        assert session.run(lang.read("kept by the EFSS.txt")).stdout == "efss v2"
        assert alice.text(f"{FOLDER}/kept by the kernel.txt") == "kernel v2"
    finally:
        session.close()


def test_a_file_the_site_failed_to_save_goes_up_with_the_next_execution(person, kernel, mesh):
    alice = person()
    lang = Lang(kernel)
    session = _open(alice, kernel)
    try:
        session.run(lang.cwd())  # the first sync is done
        # Every PUT of alice's fails (a site in trouble), the listings still work.
        mesh.set_fault(
            "a",
            "flaky",
            code=503,
            methods="PUT",
            fraction=1.0,
            prefix=f"/remote.php/dav/files/{alice.info.user}/",
        )
        try:
            first = session.run(lang.write("result.csv", "x\n1\n"))
        finally:
            mesh.clear_faults("a")
        assert "'result.csv' could not be synced with the EFSS" in first.stderr, first
        assert "is tried again after each execution" in first.stderr, first
        assert "result.csv" not in alice.names(FOLDER)
        # The next cell (which writes nothing) takes it up, and the note is not repeated.
        again = session.run(lang.read("result.csv"))
        assert again.stdout == "x\n1\n" and "result.csv" not in again.stderr, again
        assert alice.text(f"{FOLDER}/result.csv") == "x\n1\n"
    finally:
        session.close()


def test_a_read_only_share_keeps_the_kernels_files_and_says_why_once(person, kernel, mesh):
    owner, reader = person(), person()
    owner.dav.mkcol("Readings")
    owner.put("Readings/analysis.ipynb", notebook_bytes())
    owner.put("Readings/data.csv", "1,2\n")
    _ocs(
        mesh.site("a").url,
        owner.info,
        "POST",
        "/shares",
        path="/Readings",
        shareType=0,
        shareWith=reader.info.user,
        permissions=1,
    )
    lang = Lang(kernel)
    session = KernelSession(reader.server, "Readings/analysis.ipynb", kernel)
    try:
        assert session.run(lang.read("data.csv")).stdout == "1,2\n"
        first = session.run(lang.write("mine.txt", "local only"))
        assert "'mine.txt' could not be synced with the EFSS" in first.stderr, first
        # What the note promises is what happens next: not resent while unchanged.
        assert "is sent again only once the kernel changes it" in first.stderr, first
        assert "mine.txt" not in owner.names("Readings")
        mesh.reset_stats("a")
        again = session.run(lang.read("mine.txt"))
        assert again.stdout == "local only" and "mine.txt" not in again.stderr
        assert mesh.stats("a")["total"] == 1, mesh.stats("a")  # not sent again: the listing
    finally:
        session.close()
