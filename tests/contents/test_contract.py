"""The contents API contract, end to end: Jupyter REST API -> CS3ContentsManager -> mesh WebDAV.

Every method JupyterLab relies on is exercised through the real HTTP API, the way
jupyter_server tests its own managers, and what landed on the site is checked with an
independent WebDAV client. ``conftest.py`` refuses to run this module if it collects a
different number of tests than it expects, so a broken import or fixture cannot make the
suite pass by running nothing.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cs3_jupyter.dav.errors import NotFound


def _notebook(source: str = "1 + 1") -> dict:
    nb = new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell(source)])
    return json.loads(nbformat.writes(nb))


def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


# -- get -------------------------------------------------------------------------------


async def test_empty_home_is_a_writable_directory(api):
    root = await api.get("")
    assert root["type"] == "directory"
    assert root["format"] == "json"
    assert root["content"] == []
    assert root["writable"] is True


async def test_listing_shows_each_child_with_its_type_and_size(api, dav):
    dav.mkcol("data")
    dav.put("notes.txt", b"hello")
    dav.put("analysis.ipynb", nbformat.writes(new_notebook()).encode())
    listing = await api.get("")
    by_name = {item["name"]: item for item in listing["content"]}
    assert set(by_name) == {"data", "notes.txt", "analysis.ipynb"}
    assert by_name["data"]["type"] == "directory"
    assert by_name["notes.txt"]["type"] == "file"
    assert by_name["notes.txt"]["size"] == 5
    assert by_name["notes.txt"]["mimetype"] == "text/plain"
    assert by_name["analysis.ipynb"]["type"] == "notebook"
    assert all(item["content"] is None for item in listing["content"])
    assert all(item["path"] == item["name"] for item in listing["content"])


async def test_listing_a_folder_costs_one_propfind_whatever_its_size(api, dav, mesh):
    dav.mkcol("many")
    for i in range(12):
        dav.put(f"many/f{i}.txt", b"x")
    mesh.reset_stats("a")
    listing = await api.get("many")
    assert len(listing["content"]) == 12
    stats = mesh.stats("a")
    assert stats.get("PROPFIND") == 1
    assert "GET" not in stats


async def test_our_own_changes_show_at_once_despite_the_cache(api):
    await api.get("")
    await api.text("new.txt", "n")
    assert [item["name"] for item in (await api.get(""))["content"]] == ["new.txt"]
    await api.ok("PATCH", "new.txt", {"path": "renamed.txt"})
    assert [item["name"] for item in (await api.get(""))["content"]] == ["renamed.txt"]
    await api.ok("DELETE", "renamed.txt", status=204)
    assert (await api.get(""))["content"] == []


@pytest.mark.parametrize("manager_config", [{"stat_cache_seconds": 0}])
async def test_without_a_cache_changes_elsewhere_show_at_once(api, dav, manager_config):
    await api.get("")
    dav.put("from-sync-client.txt", b"x")
    assert [item["name"] for item in (await api.get(""))["content"]] == ["from-sync-client.txt"]


async def test_get_notebook_returns_cells_as_json(api, dav):
    dav.put("nb.ipynb", nbformat.writes(nbformat.from_dict(_notebook("6 * 7"))).encode())
    model = await api.get("nb.ipynb")
    assert model["type"] == "notebook"
    assert model["format"] == "json"
    assert model["content"]["cells"][1]["source"] == "6 * 7"
    assert model["writable"] is True


async def test_notebooks_are_untrusted_until_trusted_and_saves_keep_trust(api, dav):
    nb = new_notebook(
        cells=[new_code_cell("x", outputs=[nbformat.v4.new_output("stream", text="1")])]
    )
    dav.put("t.ipynb", nbformat.writes(nb).encode())
    assert (await api.get("t.ipynb"))["content"]["cells"][0]["metadata"]["trusted"] is False
    await api.ok("POST", "t.ipynb/trust", status=201)
    opened = await api.get("t.ipynb")
    assert opened["content"]["cells"][0]["metadata"]["trusted"] is True
    # A save of trusted content signs it, so it opens trusted again.
    await api.save("t.ipynb", {"type": "notebook", "content": opened["content"]})
    assert (await api.get("t.ipynb"))["content"]["cells"][0]["metadata"]["trusted"] is True


async def test_get_without_content_has_metadata_only(api, dav):
    dav.put("a.txt", b"abc")
    model = await api.get("a.txt", content="0")
    assert model["content"] is None
    assert model["format"] is None
    assert model["size"] == 3
    assert model["last_modified"] and model["created"]


async def test_text_file_comes_back_as_text(api, dav):
    dav.put("unicode.txt", "grüße ✓\n".encode())
    model = await api.get("unicode.txt")
    assert (model["format"], model["content"]) == ("text", "grüße ✓\n")


async def test_binary_file_comes_back_as_base64(api, dav):
    payload = bytes(range(256))
    dav.put("blob.bin", payload)
    model = await api.get("blob.bin")
    assert model["format"] == "base64"
    assert base64.b64decode(model["content"]) == payload
    assert model["mimetype"] == "application/octet-stream"


async def test_format_base64_can_be_forced_on_text(api, dav):
    dav.put("plain.txt", b"just text")
    model = await api.get("plain.txt", format="base64")
    assert model["format"] == "base64"
    assert base64.b64decode(model["content"]) == b"just text"


async def test_format_text_on_binary_is_a_clear_400(api, dav):
    dav.put("blob.bin", b"\xff\xfe\x00")
    code, message = await api.error("GET", "blob.bin", format="text")
    assert code == 400
    assert "UTF-8" in message


async def test_type_file_forced_on_a_notebook_gives_its_json_text(api, dav):
    dav.put("nb.ipynb", nbformat.writes(new_notebook()).encode())
    model = await api.get("nb.ipynb", type="file")
    assert model["type"] == "file"
    assert model["format"] == "text"
    assert json.loads(model["content"])["nbformat"] == 4


async def test_type_directory_forced_on_a_file_is_400(api, dav):
    dav.put("a.txt", b"a")
    code, _ = await api.error("GET", "a.txt", type="directory")
    assert code == 400


async def test_an_unreadable_notebook_is_a_400_not_a_crash(api, dav):
    dav.put("broken.ipynb", b"{not json")
    code, message = await api.error("GET", "broken.ipynb")
    assert code == 400
    assert "broken.ipynb" in message


async def test_missing_path_is_404(api):
    code, _ = await api.error("GET", "nowhere/nothing.txt")
    assert code == 404


async def test_a_notebook_model_too_broken_to_save_is_a_400(api, dav):
    content = _notebook()
    del content["cells"][1]["outputs"]
    code, message = await api.error("PUT", "broken.ipynb", {"type": "notebook", "content": content})
    assert code == 400
    assert "broken.ipynb" in message
    with pytest.raises(NotFound):
        dav.stat("broken.ipynb")


@pytest.mark.parametrize("path", ["../escape.txt", "a/../../escape.txt", "..", "a/.."])
async def test_dot_dot_never_reaches_outside_the_home(api, dav, path):
    code, _ = await api.error("PUT", path, {"type": "file", "format": "text", "content": "x"})
    assert code in (400, 404)
    assert [entry.name for entry in dav.listdir("")[1]] == []


# -- save ------------------------------------------------------------------------------


async def test_save_new_notebook_then_existing_one(api, dav):
    created = await api.save("new.ipynb", {"type": "notebook", "content": _notebook("1")}, 201)
    assert created["type"] == "notebook"
    assert created["content"] is None
    saved = await api.save("new.ipynb", {"type": "notebook", "content": _notebook("2")})
    assert saved["path"] == "new.ipynb"
    stored = nbformat.reads(dav.download("new.ipynb")[0].decode(), as_version=4)
    assert stored.cells[1].source == "2"


async def test_saved_last_modified_matches_what_the_server_reports_later(api):
    """JupyterLab compares these two to decide whether the file 'changed on disk'."""
    await api.text("doc.txt", "v1")
    saved = await api.save("doc.txt", {"type": "file", "format": "text", "content": "v2"})
    later = await api.get("doc.txt", content="0")
    assert _when(saved["last_modified"]) == _when(later["last_modified"])


async def test_save_of_an_opened_file_is_exactly_one_put(api, mesh):
    await api.text("doc.txt", "v1")
    await api.get("doc.txt")
    mesh.reset_stats("a")
    await api.save("doc.txt", {"type": "file", "format": "text", "content": "v2"})
    assert mesh.stats("a").get("PUT") == 1


@pytest.mark.parametrize("manager_config", [{"stat_cache_seconds": 0}])
async def test_saving_a_file_opened_long_ago_is_one_request(api, mesh, manager_config):
    """The handler's existence check before the save is answered by having opened it."""
    await api.text("doc.txt", "v1")
    await api.get("doc.txt")
    mesh.reset_stats("a")
    await api.save("doc.txt", {"type": "file", "format": "text", "content": "v2"})
    assert mesh.stats("a") == {"PUT": 1, "total": 1}


async def test_save_base64_file_stores_exact_bytes(api, dav):
    payload = bytes(range(256)) * 4
    model = {"type": "file", "format": "base64", "content": base64.b64encode(payload).decode()}
    await api.save("data.bin", model, 201)
    assert dav.download("data.bin")[0] == payload


async def test_save_with_invalid_base64_is_400_and_stores_nothing(api, dav):
    code, message = await api.error(
        "PUT", "bad.bin", {"type": "file", "format": "base64", "content": "@@not base64@@"}
    )
    assert code == 400
    assert "base64" in message
    with pytest.raises(NotFound):
        dav.stat("bad.bin")


async def test_save_directory_creates_a_folder(api, dav):
    model = await api.save("folder", {"type": "directory"}, 201)
    assert model["type"] == "directory"
    assert dav.stat("folder").is_dir


async def test_invalid_notebook_is_saved_with_a_validation_message(api, dav):
    content = _notebook()
    content["cells"][0]["unexpected"] = True
    saved = await api.save("odd.ipynb", {"type": "notebook", "content": content}, 201)
    assert "validation failed" in saved["message"].lower()
    assert dav.stat("odd.ipynb").size


# -- new_untitled, copy, rename, delete ------------------------------------------------


async def test_new_untitled_picks_free_names(api, dav):
    first = await api.ok("POST", "", {"type": "notebook"}, status=201)
    second = await api.ok("POST", "", {"type": "notebook"}, status=201)
    folder = await api.ok("POST", "", {"type": "directory"}, status=201)
    text = await api.ok("POST", "", {"type": "file", "ext": ".txt"}, status=201)
    assert [first["name"], second["name"]] == ["Untitled.ipynb", "Untitled1.ipynb"]
    assert folder["name"] == "Untitled Folder"
    assert text["name"] == "untitled.txt"
    assert dav.stat("Untitled Folder").is_dir
    assert nbformat.reads(dav.download("Untitled1.ipynb")[0].decode(), as_version=4).cells == []


async def test_copy_happens_on_the_server_with_a_new_name(api, dav, mesh):
    dav.put("data.csv", b"a,b\n1,2\n")
    mesh.reset_stats("a")
    copied = await api.ok("POST", "", {"copy_from": "data.csv"}, status=201)
    stats = mesh.stats("a")
    assert stats.get("COPY") == 1
    assert "GET" not in stats and "PUT" not in stats
    assert copied["name"] == "data-Copy1.csv"
    assert dav.download("data-Copy1.csv")[0] == b"a,b\n1,2\n"


async def test_copy_into_another_folder(api, dav):
    dav.mkcol("target")
    dav.put("nb.ipynb", nbformat.writes(new_notebook()).encode())
    copied = await api.ok("POST", "target", {"copy_from": "nb.ipynb"}, status=201)
    assert copied["path"] == "target/nb.ipynb"
    assert copied["type"] == "notebook"


async def test_rename_moves_the_file(api, dav):
    dav.put("old.txt", b"keep me")
    renamed = await api.ok("PATCH", "old.txt", {"path": "new name.txt"})
    assert renamed["path"] == "new name.txt"
    assert dav.download("new name.txt")[0] == b"keep me"
    with pytest.raises(NotFound):
        dav.stat("old.txt")


async def test_rename_onto_an_existing_file_is_409_and_loses_nothing(api, dav):
    dav.put("one.txt", b"one")
    dav.put("two.txt", b"two")
    code, message = await api.error("PATCH", "one.txt", {"path": "two.txt"})
    assert code == 409
    assert "two.txt" in message
    assert dav.download("one.txt")[0] == b"one"
    assert dav.download("two.txt")[0] == b"two"


async def test_delete_file_and_folder(api, dav):
    dav.mkcol("folder")
    dav.put("folder/inner.txt", b"x")
    dav.put("gone.txt", b"x")
    await api.ok("DELETE", "gone.txt", status=204)
    await api.ok("DELETE", "folder", status=204)
    assert dav.listdir("")[1] == []
    code, _ = await api.error("GET", "gone.txt")
    assert code == 404


async def test_delete_missing_is_404(api):
    code, _ = await api.error("DELETE", "never-was.txt")
    assert code == 404


# -- /files, hidden files, hashes ----------------------------------------------------------


async def test_files_endpoint_serves_raw_bytes(api, dav):
    payload = b"\x89PNG\r\n\x1a\n" + bytes(100)
    dav.put("pic.png", payload)
    response = await api.raw("files", "pic.png")
    assert response.body == payload
    assert response.headers["Content-Type"] == "image/png"
    download = await api.raw("files", "pic.png", params={"download": "1"})
    assert "attachment" in download.headers["Content-Disposition"]


async def test_files_endpoint_of_a_missing_file_is_404(api):
    response = await api.raw("files", "missing.png", raise_error=False)
    assert response.code == 404


async def test_files_endpoint_of_a_folder_is_400(api, dav):
    dav.mkcol("folder")
    response = await api.raw("files", "folder", raise_error=False)
    assert response.code == 400


async def test_hidden_files_are_not_listed_or_served_by_default(api, dav):
    dav.put(".secret", b"s")
    dav.put("visible.txt", b"v")
    names = [item["name"] for item in (await api.get(""))["content"]]
    assert names == ["visible.txt"]
    code, _ = await api.error("GET", ".secret")
    assert code == 404


@pytest.mark.parametrize("manager_config", [{"allow_hidden": True}])
async def test_hidden_files_are_served_when_allowed(api, dav, manager_config):
    dav.put(".config", b"c")
    names = [item["name"] for item in (await api.get(""))["content"]]
    assert names == [".config"]
    assert (await api.get(".config"))["content"] == "c"


async def test_hash_comes_from_the_server_and_follows_changes(api, dav, mesh):
    await api.text("h.txt", "one")
    mesh.reset_stats("a")
    first = await api.get("h.txt", content="0", hash="1")
    assert first["hash"] and first["hash_algorithm"]
    assert "GET" not in mesh.stats("a")  # never by downloading the body
    again = await api.get("h.txt", content="0", hash="1")
    assert again["hash"] == first["hash"]
    dav.put("h.txt", b"two")
    with_content = await api.get("h.txt", hash="1")
    assert with_content["hash"] != first["hash"]


class TestConfiguredFromTheEnvironmentOnly:
    """What a hub's spawner does: only ``CS3_*`` variables, no config file."""

    @pytest.fixture
    def site_config(self, site_config, monkeypatch):
        monkeypatch.setenv("CS3_SITE_URL", site_config["url"])
        monkeypatch.setenv("CS3_USER", site_config["user"])
        monkeypatch.setenv("CS3_PASSWORD", site_config["password"])
        return {}

    async def test_the_home_is_served(self, api, dav):
        dav.put("from-env.txt", b"ok")
        assert [item["name"] for item in (await api.get(""))["content"]] == ["from-env.txt"]
