"""Files written by widget callbacks reach the EFSS without another execution.

A widget's button or slider runs its callback in the kernel on a ``comm_msg``; the tests send
comm messages over the server's kernel websocket as JupyterLab does, to ipykernel (a comm
target registered by a cell) and to ``minish`` (no IPython: it runs a comm message's code by
itself), through a real Jupyter server against the local mesh.
"""

from __future__ import annotations

import time

import pytest
from kernel_helpers import KERNELS, KernelSession, Lang, Person, eventually, notebook_bytes

FOLDER = "Widgets ü #1"
TARGET = "cs3-test-callback"


def _open(person: Person, kernel: str) -> tuple[KernelSession, Lang, str]:
    """A notebook session with a comm open to a callback that runs the code it is sent."""
    person.dav.mkcol(FOLDER)
    person.put(f"{FOLDER}/dashboard.ipynb", notebook_bytes())
    session = KernelSession(person.server, f"{FOLDER}/dashboard.ipynb", kernel)
    lang = Lang(kernel)
    session.run(lang.comm_target(TARGET))
    return session, lang, session.open_comm(TARGET)


def _puts(mesh) -> int:
    return mesh.stats("a").get("PUT", 0)


@pytest.mark.parametrize("kernel", KERNELS)
def test_files_written_by_a_callback_or_a_silent_execution_reach_the_efss_without_a_cell(
    person, kernel
):
    alice = person()
    session, lang, comm_id = _open(alice, kernel)
    try:
        clicked = session.comm_send(comm_id, {"code": lang.write("export 1.csv", "a,b\n1,2\n")})
        session.wait_idle(clicked)  # no cell runs from here on
        eventually(
            lambda: "export 1.csv" in alice.names(FOLDER), "the export on the EFSS", limit=15
        )
        assert alice.text(f"{FOLDER}/export 1.csv") == "a,b\n1,2\n"
        # A silent execution (an extension's, a variable inspector's) is code like any other.
        quiet = session.send_shell(
            "execute_request",
            {"code": lang.write("quiet.txt", "q"), "silent": True, "store_history": False},
        )
        session.wait_idle(quiet)
        eventually(lambda: "quiet.txt" in alice.names(FOLDER), "the silent write on the EFSS")
        assert alice.text(f"{FOLDER}/quiet.txt") == "q"
    finally:
        session.close()


def test_a_burst_of_slider_moves_gives_one_upload_after_it(person, mesh):
    alice = person()
    session, lang, comm_id = _open(alice, "python3")
    try:
        mesh.reset_stats("a")
        # A slider dragged for two seconds: 20 moves, each a callback that rewrites the file.
        for value in range(20):
            move = session.comm_send(comm_id, {"code": lang.write("slider.txt", f"value {value}")})
            session.wait_idle(move)
            time.sleep(0.1)
        eventually(lambda: _puts(mesh) >= 1, "an upload after the burst", limit=15)
        time.sleep(2)  # twice the delay: an upload still to come would have happened
        # One upload sync (two if the kernel paused for longer than the delay mid-burst): each
        # a listing and a PUT. The test asked the site nothing since the reset.
        uploads = _puts(mesh)
        assert uploads <= 2, mesh.stats("a")
        assert mesh.stats("a") == {"PROPFIND": uploads, "PUT": uploads, "total": 2 * uploads}
        assert alice.text(f"{FOLDER}/slider.txt") == "value 19"
    finally:
        session.close()


def test_a_callback_never_uploads_files_of_a_running_cell_half_written(person, mesh):
    alice = person(sync_callback_delay=0.5)
    session, lang, comm_id = _open(alice, "minish")
    try:
        # The uploads after callbacks are on: a click's file gets there by itself.
        session.wait_idle(session.comm_send(comm_id, {"code": lang.write("click.txt", "1")}))
        eventually(lambda: "click.txt" in alice.names(FOLDER), "the click's file on the EFSS")
        # Another click, then at once a cell that writes a file in two steps: the click's
        # upload comes due while the cell runs, and must wait for the cell's own sync.
        session.wait_idle(session.comm_send(comm_id, {"code": lang.write("click.txt", "2")}))
        cell = session.send("printf 'first' > big.txt; sleep 2.5; printf ', second' >> big.txt")
        session.collect(cell, until_input=True)
        mesh.reset_stats("a")
        time.sleep(1.5)  # the click's upload came due (0.5 s) while the cell runs
        assert _puts(mesh) == 0, mesh.stats("a")
        assert "big.txt" not in alice.names(FOLDER)
        session.collect(cell)
        assert alice.text(f"{FOLDER}/big.txt") == "first, second"
        assert alice.text(f"{FOLDER}/click.txt") == "2"
    finally:
        session.close()
