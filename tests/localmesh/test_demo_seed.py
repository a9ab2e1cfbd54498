"""The demo's notebooks open in JupyterLab as they are: valid nbformat 4.5 with cell ids and a
kernel named, so opening one neither asks for a kernel nor rewrites the file."""

from __future__ import annotations

from urllib.parse import quote

import nbformat
import pytest
import requests
from cs3_localmesh.mesh import Mesh

DEMO_NOTEBOOKS = [
    "Notebooks/welcome.ipynb",
    "Project Mesh/analysis.ipynb",
    "Project Mesh/yearly summary.ipynb",
]


@pytest.mark.parametrize("path", DEMO_NOTEBOOKS)
def test_demo_notebook_is_valid_with_ids_and_a_kernel(mesh: Mesh, path: str) -> None:
    url = f"{mesh.site('a').url}/remote.php/dav/files/alice/{quote(path)}"
    answer = requests.get(url, auth=("alice", "alice-pass"), timeout=30)
    assert answer.status_code == 200, path
    raw = answer.json()
    assert (raw["nbformat"], raw["nbformat_minor"]) == (4, 5)
    ids = [cell.get("id") for cell in raw["cells"]]
    assert all(ids) and len(set(ids)) == len(ids), ids  # 4.5 requires unique ids
    assert raw["metadata"]["kernelspec"]["name"] == "python3"
    nbformat.validate(nbformat.from_dict(raw))  # raises on anything the schema refuses
