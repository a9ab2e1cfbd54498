"""Bad input to the contents API: a 400 that says what is wrong, nothing sent to the site.

Every field of a saved model is checked for its type and bounds before anything is used;
a name no EFSS site stores (a control character, more than 250 bytes) is refused with the
reason instead of a 502 from the site's refusal.
"""

from __future__ import annotations

import pytest

from cs3_jupyter.dav.errors import NotFound

TEXT = {"type": "file", "format": "text", "content": "x"}


@pytest.mark.parametrize(
    ("model", "named"),
    [
        ({**TEXT, "chunk": "x"}, "chunk"),
        ({**TEXT, "chunk": 0}, "chunk"),
        ({**TEXT, "chunk": 10_001}, "chunk"),
        ({**TEXT, "chunk": True}, "chunk"),
        ({**TEXT, "hash": 5}, "hash"),
        ({**TEXT, "hash": ""}, "hash"),
        ({**TEXT, "hash": "x" * 600}, "hash"),
        ({**TEXT, "hash_algorithm": ["sha1"]}, "hash_algorithm"),
        ({**TEXT, "name": 5}, "name"),
        ({**TEXT, "path": {}}, "path"),
        ({**TEXT, "content": 5}, "content"),
        ({**TEXT, "format": 7}, "format"),
        ({**TEXT, "format": "json"}, "format"),
        ({"type": "notebook", "content": "not a notebook"}, "JSON object"),
        ({"type": "notebook", "content": {"cells": [{"source": ""}]}}, "cell_type"),
        ({"type": "notebook", "content": {"cells": "x"}}, "cells"),
        ({"type": "notebook", "content": {"cells": [], "metadata": []}}, "metadata"),
        ({**TEXT, "format": "base64", "content": "not base64!"}, "base64"),
    ],
)
async def test_a_bad_field_is_a_400_naming_it_and_nothing_is_written(api, dav, mesh, model, named):
    mesh.reset_stats("a")
    code, message = await api.error("PUT", "doc.txt", model)
    assert code == 400
    assert named in message
    assert mesh.stats("a").get("PUT", 0) == 0
    with pytest.raises(NotFound):
        dav.stat("doc.txt")


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("with\ttab.txt", "control character"),
        ("with\nnewline.txt", "control character"),
        ("é" * 126 + ".txt", "bytes long"),
    ],
    ids=["tab", "newline", "255-bytes"],
)
async def test_a_name_no_site_stores_is_a_400_that_says_why(api, dav, name, why):
    code, message = await api.error("PUT", name, TEXT)
    assert code == 400
    assert why in message
    assert dav.listdir("")[1] == []
    code, message = await api.error("POST", "", {"copy_from": name})
    assert code in (400, 404)


async def test_chunk_numbers_are_checked_before_anything_is_sent(api, mesh):
    mesh.reset_stats("a")
    code, message = await api.error("PUT", "big.bin", {**TEXT, "chunk": -2})
    assert code == 400 and "chunk" in message
    assert set(mesh.stats("a")) <= {"PROPFIND", "total"}  # the handler's existence check only
