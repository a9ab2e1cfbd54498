"""The demo's notebooks (local mesh seed) run as they are, as alice, in ipykernel."""

from __future__ import annotations

import json

from cs3_localmesh.users import UserInfo
from kernel_helpers import KernelSession, start_server

from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.transport.auth import make_auth


def _code_cells(dav: DavClient, path: str) -> list[str]:
    notebook = json.loads(dav.download(path)[0])
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def test_the_demo_notebooks_run_against_their_folder(mesh, tmp_path_factory):
    # The seed's alice, with the seed's public demo password.
    alice = UserInfo(user="alice", password="alice-pass", app_password="", token="", site="a")
    server = start_server(mesh, tmp_path_factory.mktemp("demo-alice"), alice)
    dav = DavClient(mesh.site("a").url, "alice", make_auth("alice", "alice-pass"))
    try:
        analysis = KernelSession(server, "Project Mesh/analysis.ipynb", "python3")
        try:
            (cell,) = _code_cells(dav, "Project Mesh/analysis.ipynb")
            out = analysis.run(cell)
            assert out.reply["status"] == "ok", out
            # The big file is over the per-file limit: told, with the efss:// path to use.
            assert "efss://Project Mesh/data/hourly readings 2025.csv" in out.stderr
        finally:
            analysis.close()
        summary = KernelSession(server, "Project Mesh/yearly summary.ipynb", "python3")
        try:
            means, write = _code_cells(dav, "Project Mesh/yearly summary.ipynb")
            first = summary.run(means)
            assert first.reply["status"] == "ok", first
            second = summary.run(write)
            assert second.reply["status"] == "ok", second
            assert second.stdout.startswith("station,mean_temperature_c\nGeneva,")
            written = dav.download("Project Mesh/results/yearly means.csv")[0].decode()
            assert second.stdout == written + "\n"  # printed by the cell, and on the EFSS
        finally:
            summary.close()
            dav.delete("Project Mesh/results")
    finally:
        server.stop()
