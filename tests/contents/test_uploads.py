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


async def test_an_out_of_order_chunk_is_refused_and_nothing_is_saved(api, dav):
    await _send(api, "o.bin", b"one", 1)
    refused = await _send(api, "o.bin", b"three", 3, status=400)
    assert "out of order" in refused["message"]
    # The upload was dropped: continuing it is refused too, and the target never appears.
    await _send(api, "o.bin", b"two", 2, status=400)
    await _send(api, "o.bin", b"end", -1, status=400)
    with pytest.raises(NotFound):
        dav.stat("o.bin")


async def test_a_last_chunk_without_a_first_is_refused(api, dav):
    refused = await _send(api, "lonely.bin", b"end", -1, status=400)
    assert "expected chunk 1" in refused["message"]


@pytest.mark.parametrize("manager_config", [{"upload_idle_timeout": 2}])
async def test_an_abandoned_upload_is_deleted_on_the_site(api, dav, manager_config):
    """The browser tab is closed after a chunk: after the idle timeout the parts are gone."""
    await _send(api, "abandoned.bin", b"part", 1)
    assert len(_upload_folders(dav)) == 1
    deadline = time.monotonic() + 60
    while _upload_folders(dav):
        assert time.monotonic() < deadline, "the abandoned upload was never cleaned up"
        await asyncio.sleep(0.2)
    refused = await _send(api, "abandoned.bin", b"more", 2, status=400)
    assert "upload the file again" in refused["message"]
    with pytest.raises(NotFound):
        dav.stat("abandoned.bin")


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
