"""The request budget, counted at the site: what a JupyterLab click costs.

Every extra round trip is felt by a researcher tens of milliseconds from their EFSS, so
the counts JupyterLab's common sequences cost are pinned here (the benchmark shows the
times), cold (a server that never saw the file: a second browser tab, a restarted server,
a file uploaded elsewhere) and warm (opened or listed just before). Each test has a fresh
Jupyter server. The "does not exist" memory that saves requests is checked not to hide our
own changes, nor, with the cache off, anybody else's.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cs3_jupyter.contents.fingerprints import Fingerprints


def _notebook_bytes() -> bytes:
    return nbformat.writes(new_notebook(cells=[new_code_cell("1 + 1")])).encode()


def _chunk(number: int, data: bytes) -> dict:
    content = base64.b64encode(data).decode("ascii")
    return {"type": "file", "format": "base64", "chunk": number, "content": content}


def _written_earlier(dav, path: str, body: bytes) -> None:
    """A file as users usually find it: written some time before they act on it."""
    dav.put(path, body, mtime=int(time.time()) - 60)


def _hash_elsewhere(dav, path: str) -> str:
    """The ``hash`` another Jupyter server gives for the file (a second tab's save sends it)."""
    return Fingerprints().of(dav.stat(path))


async def test_opening_a_notebook_from_the_file_browser_costs_three_requests(api, dav, mesh):
    _written_earlier(dav, "analysis.ipynb", _notebook_bytes())
    mesh.reset_stats("a")
    listing = await api.get("")  # the file browser shows the folder
    notebook = await api.get("analysis.ipynb", type="notebook")  # the user opens it
    checkpoints = await api.get("analysis.ipynb/checkpoints")  # JupyterLab does on open

    assert [item["name"] for item in listing["content"]] == ["analysis.ipynb"]
    assert notebook["content"]["cells"][0]["source"] == "1 + 1"
    assert checkpoints == []  # none created yet (JupyterLab then creates one)
    assert mesh.stats("a") == {"PROPFIND": 2, "GET": 1, "total": 3}


async def test_renaming_a_listed_file_costs_one_move(api, dav, mesh):
    dav.put("draft.ipynb", _notebook_bytes())
    listed = next(item for item in (await api.get(""))["content"] if item["name"] == "draft.ipynb")
    mesh.reset_stats("a")
    renamed = await api.call("PATCH", "draft.ipynb", {"path": "final.ipynb"})

    assert mesh.stats("a") == {"MOVE": 1, "total": 1}
    assert renamed[0] == 200
    model = renamed[1]
    assert (model["path"], model["type"]) == ("final.ipynb", "notebook")
    assert model["last_modified"] == listed["last_modified"]
    # The model is what the site now says, and the next save is not taken for a conflict.
    fresh = await api.get("final.ipynb", content="0")
    assert (fresh["last_modified"], fresh["size"]) == (model["last_modified"], model["size"])
    saved = await api.save("final.ipynb", await api.get("final.ipynb"))
    assert saved["path"] == "final.ipynb"


async def test_a_chunked_upload_into_a_listed_folder_checks_existence_at_most_once(api, dav, mesh):
    await api.get("")
    mesh.reset_stats("a")
    for number in (1, 2, 3, -1):
        code, _ = await api.call("PUT", "data.bin", _chunk(number, b"%d" % number * 1000))
        assert code in (200, 201)

    stats = mesh.stats("a")
    assert stats["PUT"] == 4 and stats["MOVE"] == 1  # four parts, then assembly
    assert stats.get("PROPFIND", 0) <= 1
    body = dav.download("data.bin").body
    assert body == b"1" * 1000 + b"2" * 1000 + b"3" * 1000 + b"-1" * 1000


async def test_a_file_we_create_after_being_told_it_is_missing_is_seen_at_once(api, jp_serverapp):
    manager = jp_serverapp.contents_manager
    assert not await manager.file_exists("later.txt")
    await api.text("later.txt", "now it exists")

    assert await manager.file_exists("later.txt")
    assert (await api.get("later.txt"))["content"] == "now it exists"
    assert [item["name"] for item in (await api.get(""))["content"]] == ["later.txt"]


@pytest.mark.parametrize("manager_config", [{"stat_cache_seconds": 0}])
async def test_without_a_cache_a_file_created_elsewhere_after_a_miss_is_seen_at_once(
    api, dav, jp_serverapp
):
    manager = jp_serverapp.contents_manager
    assert not await manager.file_exists("theirs.txt")
    dav.put("theirs.txt", b"made by a sync client")
    assert await manager.file_exists("theirs.txt")


async def test_jupyterlabs_save_of_an_opened_notebook_is_its_check_and_one_put(api, dav, mesh):
    """Check (a model without content, with hash) and save: 2 requests, as before the guard."""
    dav.put("nb.ipynb", _notebook_bytes(), mtime=int(time.time()) - 60)  # written a while ago
    opened = await api.get("nb.ipynb", type="notebook", hash="1")
    mesh.reset_stats("a")
    checked = await api.get("nb.ipynb", content="0", hash="1")
    assert checked["hash"] == opened["hash"]
    model = {"type": "notebook", "format": "json", "content": opened["content"]}
    await api.save("nb.ipynb", {**model, "hash": opened["hash"]})
    assert mesh.stats("a") == {"PROPFIND": 1, "PUT": 1, "total": 2}
    mesh.reset_stats("a")
    await api.save("nb.ipynb", model)  # the next save, without a check: one PUT
    assert mesh.stats("a") == {"PUT": 1, "total": 1}


async def test_a_version_opened_in_the_second_it_was_written_is_checked_once_more(api, dav, mesh):
    """Nextcloud may keep its ETag for another write in that second: the save asks first."""
    await asyncio.sleep(1.02 - time.time() % 1)
    dav.put("nb.ipynb", _notebook_bytes())
    opened = await api.get("nb.ipynb", type="notebook")
    mesh.reset_stats("a")
    await api.save("nb.ipynb", {"type": "notebook", "content": opened["content"]})
    assert mesh.stats("a") == {"PROPFIND": 1, "PUT": 1, "total": 2}


# -- cold and warm, one operation at a time -------------------------------------------------


def _notebook_model(body: bytes, **extra) -> dict:
    return {"type": "notebook", "format": "json", "content": json.loads(body), **extra}


async def test_a_cold_save_is_one_propfind_and_one_put(api, dav, mesh):
    """Saving a file this server never saw: the handler's existence check is the PROPFIND
    that gives the file's ETag and permissions; the PUT is conditional on it."""
    _written_earlier(dav, "other-tab.ipynb", _notebook_bytes())
    mesh.reset_stats("a")
    saved = await api.save("other-tab.ipynb", _notebook_model(_notebook_bytes()))
    assert mesh.stats("a") == {"PROPFIND": 1, "PUT": 1, "total": 2}
    assert saved["writable"] is True
    mesh.reset_stats("a")
    await api.save("other-tab.ipynb", _notebook_model(_notebook_bytes()))  # now warm
    assert mesh.stats("a") == {"PUT": 1, "total": 1}


async def test_a_cold_save_naming_a_version_just_written_costs_no_second_propfind(api, dav, mesh):
    """A second tab's save (with the hash of the version it loaded) of a file written in
    this very second: the existence check a moment before is the guard's check."""
    await asyncio.sleep(1.02 - time.time() % 1)
    dav.put("fresh.ipynb", _notebook_bytes())
    model = _notebook_model(_notebook_bytes(), hash=_hash_elsewhere(dav, "fresh.ipynb"))
    mesh.reset_stats("a")
    await api.save("fresh.ipynb", model)
    assert mesh.stats("a") == {"PROPFIND": 1, "PUT": 1, "total": 2}


async def test_a_cold_save_of_a_new_file_is_one_propfind_and_one_put(api, dav, mesh):
    mesh.reset_stats("a")
    await api.save("brand-new.ipynb", _notebook_model(_notebook_bytes()), status=201)
    assert mesh.stats("a") == {"PROPFIND": 1, "PUT": 1, "total": 2}
    stored = json.loads(dav.download("brand-new.ipynb").body)
    assert "".join(stored["cells"][0]["source"]) == "1 + 1"


async def test_a_cold_rename_is_one_move_and_one_propfind(api, dav, mesh):
    _written_earlier(dav, "before.txt", b"text")
    mesh.reset_stats("a")
    renamed = await api.ok("PATCH", "before.txt", {"path": "after.txt"})
    assert mesh.stats("a") == {"MOVE": 1, "PROPFIND": 1, "total": 2}
    assert (renamed["path"], renamed["size"]) == ("after.txt", 4)


async def test_a_cold_open_is_one_propfind_and_one_get(api, dav, mesh):
    _written_earlier(dav, "cold.ipynb", _notebook_bytes())
    mesh.reset_stats("a")
    opened = await api.get("cold.ipynb", type="notebook")
    assert mesh.stats("a") == {"PROPFIND": 1, "GET": 1, "total": 2}
    assert opened["content"]["cells"][0]["source"] == "1 + 1"


async def test_opening_a_file_just_listed_is_one_get(api, dav, mesh):
    _written_earlier(dav, "listed.ipynb", _notebook_bytes())
    listed = (await api.get(""))["content"][0]
    mesh.reset_stats("a")
    opened = await api.get("listed.ipynb", type="notebook", hash="1")
    assert mesh.stats("a") == {"GET": 1, "total": 1}
    assert (opened["last_modified"], opened["size"]) == (listed["last_modified"], listed["size"])
    # The hash is the one the site's description gives (JupyterLab compares them before saving).
    checked = await api.get("listed.ipynb", content="0", hash="1")
    assert checked["hash"] == opened["hash"]


async def test_opening_a_file_changed_since_it_was_listed_describes_the_new_version(api, dav, mesh):
    """The download's ETag tells the listing is out of date: the site is asked again."""
    _written_earlier(dav, "moving.txt", b"old")
    await api.get("")
    dav.put("moving.txt", b"new and longer")
    mesh.reset_stats("a")
    opened = await api.get("moving.txt", type="file")
    assert opened["content"] == "new and longer"
    assert opened["size"] == len(b"new and longer")
    assert mesh.stats("a") == {"GET": 1, "PROPFIND": 1, "total": 2}


async def test_a_notebook_opened_from_the_listing_has_the_sites_hash_and_saves_in_one_put(
    api, dav, mesh
):
    """The listing leaves checksums out; the download's answer names them, so the model's
    hash is the one JupyterLab's pre-save check gets, and the save is not a conflict."""
    body = _notebook_bytes()
    sha1 = hashlib.sha1(body, usedforsecurity=False).hexdigest()
    dav.put("summed.ipynb", body, mtime=int(time.time()) - 60, sha1=sha1)
    await api.get("")
    mesh.reset_stats("a")
    opened = await api.get("summed.ipynb", type="notebook", hash="1")
    assert mesh.stats("a") == {"GET": 1, "total": 1}
    assert opened["hash"] == f"sha1:{sha1}"
    checked = await api.get("summed.ipynb", content="0", hash="1")
    assert checked["hash"] == opened["hash"]
    mesh.reset_stats("a")
    await api.save("summed.ipynb", _notebook_model(body, hash=opened["hash"]))
    assert mesh.stats("a") == {"PUT": 1, "total": 1}
