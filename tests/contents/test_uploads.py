"""Chunked uploads as JupyterLab sends them: ``chunk`` 1, 2, ..., then -1, base64 each.

Memory use of a large upload is measured by the benchmark, not asserted here.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import random
import time

import pytest
from defusedxml import ElementTree

from cs3_jupyter.dav.errors import NotFound

MiB = 1 << 20


def _part(seed: int, size: int = MiB) -> bytes:
    return random.Random(seed).randbytes(size)  # noqa: S311 - reproducible test data


def _chunk(data: bytes, number: int, name: str = "") -> dict:
    return {
        "type": "file",
        "format": "base64",
        "name": name,
        "chunk": number,
        "content": base64.b64encode(data).decode("ascii"),
    }


async def _send(api, path: str, data: bytes, number: int, status: int | None = None) -> dict:
    code, payload = await api.call("PUT", path, _chunk(data, number, path.rpartition("/")[2]))
    assert code in ((status,) if status else (200, 201)), (code, payload)
    return payload


def _upload_folders(dav) -> list[str]:
    """The upload folders the site holds for this user (Nextcloud chunking v2 area)."""
    response = dav.request(
        "PROPFIND", dav.dav_url("uploads"), path="uploads", headers={"Depth": "1"}
    )
    hrefs = [
        element.text
        for element in ElementTree.fromstring(response.content).iter("{DAV:}href")
        if element.text
    ]
    return [href.rstrip("/").rpartition("/")[2] for href in hrefs[1:]]


async def test_a_200_mb_upload_arrives_byte_identical(api, dav):
    parts = 200
    sent = hashlib.sha256()
    for i in range(1, parts + 1):
        data = _part(i)
        sent.update(data)
        await _send(api, "big.bin", data, -1 if i == parts else i)
    received = hashlib.sha256()
    response = dav.open_download("big.bin")
    try:
        for block in response.iter_content(MiB):
            received.update(block)
    finally:
        response.close()
    assert received.hexdigest() == sent.hexdigest()
    assert dav.stat("big.bin").size == parts * MiB


async def test_nothing_is_visible_at_the_target_until_the_last_chunk(api, dav):
    await _send(api, "file.bin", _part(1), 1)
    await _send(api, "file.bin", _part(2), 2)
    with pytest.raises(NotFound):
        dav.stat("file.bin")
    assert [item["name"] for item in (await api.get(""))["content"]] == []
    final = await _send(api, "file.bin", _part(3, 10), -1)
    assert final["size"] == 2 * MiB + 10
    assert dav.download("file.bin")[0] == _part(1) + _part(2) + _part(3, 10)


async def test_an_upload_over_an_existing_file_replaces_it_only_at_the_end(api, dav):
    dav.put("data.bin", b"old content")
    await _send(api, "data.bin", _part(1), 1)
    assert dav.download("data.bin")[0] == b"old content"
    await _send(api, "data.bin", _part(2, 5), -1)
    assert dav.download("data.bin")[0] == _part(1) + _part(2, 5)


async def test_chunk_one_restarts_the_upload(api, dav):
    await _send(api, "r.bin", b"stale-1", 1)
    await _send(api, "r.bin", b"stale-2", 2)
    await _send(api, "r.bin", b"fresh-1", 1)
    await _send(api, "r.bin", b"fresh-end", -1)
    assert dav.download("r.bin")[0] == b"fresh-1fresh-end"


async def test_repeated_and_skipped_chunk_numbers_append_as_jupyter_server_does(api, dav):
    """jupyter_server's large-file manager appends every chunk but 1, whatever its number
    (its own contract test sends 1, 1, 2, 2, -1, -1)."""
    for number, data in ((1, b"a"), (1, b"b"), (2, b"c"), (2, b"d"), (5, b"e"), (-1, b"f")):
        await _send(api, "o.bin", data, number)
    assert dav.download("o.bin").body == b"bcdef"


async def test_a_chunk_with_no_upload_in_progress_appends_to_the_file(api, dav):
    await _send(api, "lonely.bin", b"start", 1)
    await _send(api, "lonely.bin", b"-end", -1)
    await _send(api, "lonely.bin", b"-more", -1)
    assert dav.download("lonely.bin").body == b"start-end-more"
    await _send(api, "new.bin", b"only", -1)
    assert dav.download("new.bin").body == b"only"


@pytest.mark.parametrize("manager_config", [{"upload_idle_timeout": 2}])
async def test_an_abandoned_upload_is_deleted_on_the_site(api, dav, manager_config):
    """The browser tab is closed after a chunk: after the idle timeout the parts are gone."""
    await _send(api, "abandoned.bin", b"part", 1)
    assert len(_upload_folders(dav)) == 1
    deadline = time.monotonic() + 60
    while _upload_folders(dav):
        assert time.monotonic() < deadline, "the abandoned upload was never cleaned up"
        await asyncio.sleep(0.2)
    with pytest.raises(NotFound):
        dav.stat("abandoned.bin")  # nothing ever appeared at the target


async def test_sites_without_chunked_uploads_get_one_streamed_put(api, dav, mesh):
    """A site that refuses the uploads area (405 there) still receives the whole file."""
    mesh.set_fault("a", "status", code=405, prefix="/remote.php/dav/uploads")
    try:
        await _send(api, "spooled.bin", _part(1), 1)
        await _send(api, "spooled.bin", _part(2), 2)
        with pytest.raises(NotFound):
            dav.stat("spooled.bin")
        mesh.reset_stats("a")
        await _send(api, "spooled.bin", _part(3, 7), -1)
        assert mesh.stats("a").get("PUT") == 1
    finally:
        mesh.clear_faults("a")
    assert dav.download("spooled.bin")[0] == _part(1) + _part(2) + _part(3, 7)


async def test_an_upload_over_quota_is_507_and_leaves_nothing_behind(api, dav, mesh, user):
    mesh.set_fault("a", "quota", user=user.user, bytes=3 * MiB)
    try:
        await _send(api, "huge.bin", _part(1), 1)
        await _send(api, "huge.bin", _part(2), 2)
        code, payload = await api.call("PUT", "huge.bin", _chunk(_part(3, 2 * MiB), -1))
    finally:
        mesh.clear_faults("a")
    assert code == 507
    assert "quota" in payload["message"]
    with pytest.raises(NotFound):
        dav.stat("huge.bin")
    assert _upload_folders(dav) == []


async def test_uploads_still_open_when_the_server_stops_are_deleted_on_the_site(
    api, dav, jp_serverapp
):
    await _send(api, "interrupted.bin", _part(1), 1)
    assert len(_upload_folders(dav)) == 1
    await jp_serverapp.contents_manager.close()
    assert _upload_folders(dav) == []
    with pytest.raises(NotFound):
        dav.stat("interrupted.bin")
