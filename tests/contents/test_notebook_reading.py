"""Reading a notebook gives exactly what ``nbformat.reads(..., as_version=4)`` gives.

The manager reads version 4 notebooks in one pass (the JSON decoder builds the
NotebookNodes) instead of nbformat's decode-then-copy, which halves the time to open a
large notebook. Whatever the notebook, the result must be nbformat's: the same tree, the
same validation outcome, the same refusal of what is not a notebook.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v3 import new_code_cell as v3_code_cell
from nbformat.v3 import new_notebook as v3_notebook
from nbformat.v3 import new_worksheet
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from tornado.web import HTTPError

from cs3_jupyter.contents.models import read_notebook


def _rich_notebook() -> dict:
    notebook = new_notebook(
        cells=[
            new_markdown_cell(
                "# Title\nwith two lines",
                attachments={
                    "a.png": {"image/png": "iVBORw0KGgo=", "text/plain": ["line 1\n", "line 2"]}
                },
            ),
            new_code_cell(
                "print(1)\nprint(2)",
                execution_count=3,
                outputs=[
                    new_output("stream", name="stdout", text="1\n2\n"),
                    new_output(
                        "execute_result",
                        data={"text/plain": "a\nb", "text/html": "<b>\n</b>"},
                        execution_count=3,
                    ),
                    new_output("error", ename="E", evalue="v", traceback=["t1", "t2"]),
                ],
                metadata={"trusted": True, "tags": ["x"]},
            ),
        ],
        metadata={"kernelspec": {"name": "p", "display_name": "P"}},
    )
    document = json.loads(nbformat.writes(notebook))  # on disk: lines split, as files hold them
    # What a file may hold that reading drops (nbformat's writer drops them itself).
    document["metadata"].update(signature="sha256:abc", orig_nbformat=3)
    document["cells"][1]["metadata"]["trusted"] = True
    return document


def _read_both(body: bytes) -> tuple[dict, dict, dict, dict]:
    """Our reading and nbformat's, each with the validation problems it reported."""
    ours_errors: dict = {}
    theirs_errors: dict = {}
    ours = read_notebook(body, "x.ipynb", ours_errors)
    theirs = nbformat.reads(body.decode(), as_version=4, capture_validation_error=theirs_errors)
    return ours, ours_errors, theirs, theirs_errors


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5])
def test_a_version_4_notebook_reads_as_nbformat_reads_it(minor):
    document = _rich_notebook()
    document["nbformat_minor"] = minor
    if minor < 5:
        for cell in document["cells"]:
            cell.pop("id", None)
    ours, ours_errors, theirs, theirs_errors = _read_both(json.dumps(document).encode())
    assert ours == theirs
    assert type(ours) is type(theirs)
    assert type(ours.cells[1].outputs[1].data) is type(theirs.cells[1].outputs[1].data)
    assert ours.cells[1].outputs[0].text == "1\n2\n"  # rejoined lines
    assert "signature" not in ours.metadata and "trusted" not in ours.cells[1].metadata
    assert set(ours_errors) == set(theirs_errors)


def test_an_invalid_notebook_is_read_and_its_problem_reported_as_nbformat_does():
    document = _rich_notebook()
    document["cells"][1]["outputs"][0]["output_type"] = "not a type"
    ours, ours_errors, theirs, theirs_errors = _read_both(json.dumps(document).encode())
    assert ours == theirs
    assert str(ours_errors["ValidationError"]) == str(theirs_errors["ValidationError"])


def test_an_older_notebook_is_converted_as_nbformat_converts_it():
    old = v3_notebook(worksheets=[new_worksheet(cells=[v3_code_cell(input="1 + 1")])])
    body = nbformat.v3.writes_json(old).encode()
    ours = read_notebook(body, "old.ipynb", {})
    theirs = nbformat.reads(body.decode(), as_version=4)
    for cell in (*ours.cells, *theirs.cells):
        cell.pop("id")  # the upgrade makes up new cell ids each time
    assert ours == theirs
    assert ours.nbformat == 4 and ours.cells[0].source == "1 + 1"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe{}",
        b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}',  # no cells
        b'{"nbformat": 99}',
        b"[]",
    ],
)
def test_what_is_not_a_notebook_is_a_400_naming_the_file(body):
    with pytest.raises(HTTPError) as raised:
        read_notebook(body, "broken.ipynb", {})
    assert raised.value.status_code == 400
    assert "'broken.ipynb' is not a readable notebook" in raised.value.log_message
