"""Checkpoints keep exactly what they captured, whatever the timing.

On the mesh (Nextcloud-like: one version per second, ETags kept within a second) a
checkpoint is a named version of the file; the contract is jupyter_server's: *list* returns
the checkpoints created, *restore* brings back their bytes, *delete* removes one. The same
contract on a site without versions is exercised by jupyter_server's own tests against plain
WebDAV (tests/upstream).
"""

from __future__ import annotations

import asyncio
import time

from cs3_jupyter.dav.versions import list_versions

TEXT = {"type": "file", "format": "text"}


async def _at_the_start_of_a_second() -> None:
    await asyncio.sleep(1.02 - time.time() % 1)


async def test_restore_after_a_same_second_save_brings_back_the_captured_bytes(api, dav):
    """Write, open, checkpoint, save and restore within one second, as upstream's test does."""
    await _at_the_start_of_a_second()
    await api.text("draft.txt", "a text file")
    await api.get("draft.txt")
    checkpoint = await api.ok("POST", "draft.txt/checkpoints", status=201)
    await api.save("draft.txt", {**TEXT, "content": "a text file\nsecond line"})
    await api.ok("POST", f"draft.txt/checkpoints/{checkpoint['id']}", status=204)
    assert dav.download("draft.txt").body == b"a text file"
    assert (await api.get("draft.txt"))["content"] == "a text file"


async def test_a_checkpoint_survives_any_number_of_saves_in_one_second(api, dav):
    await _at_the_start_of_a_second()
    await api.text("draft.txt", "captured")
    await api.get("draft.txt")
    checkpoint = await api.ok("POST", "draft.txt/checkpoints", status=201)
    for n in range(4):
        await api.save("draft.txt", {**TEXT, "content": f"later {n}"})
    await api.ok("POST", f"draft.txt/checkpoints/{checkpoint['id']}", status=204)
    assert dav.download("draft.txt").body == b"captured"


async def test_the_list_is_the_checkpoints_created_and_delete_removes_one(api):
    await api.text("doc.txt", "v1")
    await api.get("doc.txt")
    assert await api.get("doc.txt/checkpoints") == []
    first = await api.ok("POST", "doc.txt/checkpoints", status=201)
    await api.save("doc.txt", {**TEXT, "content": "v2"})
    second = await api.ok("POST", "doc.txt/checkpoints", status=201)
    assert await api.get("doc.txt/checkpoints") == [first, second]
    await api.ok("DELETE", f"doc.txt/checkpoints/{first['id']}", status=204)
    assert await api.get("doc.txt/checkpoints") == [second]
    code, _ = await api.error("POST", f"doc.txt/checkpoints/{first['id']}")
    assert code == 404


async def test_checkpoints_are_named_versions_the_site_keeps(api, dav, jp_serverapp):
    """The site's own version history shows them by name; named versions do not expire."""
    await api.text("doc.txt", "kept")
    await api.get("doc.txt")
    checkpoint = await api.ok("POST", "doc.txt/checkpoints", status=201)
    await api.save("doc.txt", {**TEXT, "content": "newer"})
    entry = dav.stat("doc.txt")
    assert entry.fileid is not None
    versions = {v.id: v for v in list_versions(dav, entry.fileid, "doc.txt")}
    label = jp_serverapp.contents_manager.checkpoints.label
    assert versions[checkpoint["id"]].label == label
    base = dav.dav_url("versions") + f"versions/{entry.fileid}/{checkpoint['id']}"
    assert dav.transport.request("GET", base).content == b"kept"


async def test_restoring_the_current_checkpoint_changes_nothing(api, dav):
    await api.text("same.txt", "only")
    checkpoint = await api.ok("POST", "same.txt/checkpoints", status=201)
    await api.ok("POST", f"same.txt/checkpoints/{checkpoint['id']}", status=204)
    assert dav.download("same.txt").body == b"only"


async def test_unknown_checkpoint_is_404(api):
    await api.text("x.txt", "x")
    code, _ = await api.error("POST", "x.txt/checkpoints/12345")
    assert code == 404
    code, _ = await api.error("DELETE", "x.txt/checkpoints/12345")
    assert code == 404


async def test_a_change_elsewhere_after_a_restore_is_not_overwritten(api, dav):
    await api.text("doc.txt", "v1")
    await api.get("doc.txt")
    checkpoint = await api.ok("POST", "doc.txt/checkpoints", status=201)
    await api.save("doc.txt", {**TEXT, "content": "v2"})
    await api.ok("POST", f"doc.txt/checkpoints/{checkpoint['id']}", status=204)
    dav.put("doc.txt", b"a colleague's change")
    code, _ = await api.error("PUT", "doc.txt", {**TEXT, "content": "v3"})
    assert code == 409
    assert dav.download("doc.txt").body == b"a colleague's change"


async def test_creating_one_right_after_a_save_costs_one_request(api, mesh):
    """JupyterLab creates one after "Save As"; what the save said is reused."""
    await api.text("doc.txt", "v1")
    await api.get("doc.txt")
    await api.save("doc.txt", {**TEXT, "content": "v2"})
    mesh.reset_stats("a")
    await api.ok("POST", "doc.txt/checkpoints", status=201)
    assert mesh.stats("a") == {"PROPPATCH": 1, "total": 1}


async def test_checkpoints_are_never_written_to_local_disk(api, jp_root_dir):
    await api.text("n.txt", "x")
    await api.ok("POST", "n.txt/checkpoints", status=201)
    assert list(jp_root_dir.rglob("*")) == []
