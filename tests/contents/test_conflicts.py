"""Saves never overwrite a change made elsewhere, also within one second (issues 12 and 16).

"Elsewhere" is the independent WebDAV client: the same user's sync client, web UI or a
colleague's share, writing straight to the site behind Jupyter's back. The mesh keeps ETags
the way Nextcloud 32 does (a write in the same second as the last one keeps the ETag), so an
``If-Match`` alone would let several of these through.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest

from cs3_jupyter.dav.errors import NotFound


def _stamp(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def _text(content: str, **extra) -> dict:
    return {"type": "file", "format": "text", "content": content, **extra}


async def _at_the_start_of_a_second() -> None:
    """Wait for a fresh clock second, so the next few requests land within it."""
    await asyncio.sleep(1.02 - time.time() % 1)


async def test_save_after_a_change_elsewhere_is_409_and_keeps_the_other_version(api, dav):
    await api.text("shared.txt", "original")
    await api.get("shared.txt")  # the user opens it
    dav.put("shared.txt", b"colleague's edit")
    code, message = await api.error("PUT", "shared.txt", _text("my edit"))
    assert code == 409
    assert "changed" in message and "since you opened it" in message
    assert "Nothing was overwritten" in message
    assert dav.download("shared.txt").body == b"colleague's edit"


async def test_a_same_second_change_elsewhere_is_409_although_the_etag_did_not_change(api, dav):
    """A writes, B opens, A writes again in the same second (Nextcloud keeps the ETag), B
    saves: B's save must not win."""
    await _at_the_start_of_a_second()
    first = dav.put("shared.txt", b"A's first version")
    await api.get("shared.txt")
    second = dav.put("shared.txt", b"A's second version, longer")
    assert second.etag == first.etag  # what makes If-Match alone useless here
    code, _ = await api.error("PUT", "shared.txt", _text("B's version"))
    assert code == 409
    assert dav.download("shared.txt").body == b"A's second version, longer"


@pytest.mark.parametrize("mtime_offset", [-3600, 0], ids=["older-file-time", "same-second"])
async def test_a_check_without_hash_does_not_make_a_change_elsewhere_look_seen(
    api, dav, mtime_offset
):
    """A client that checks the file (no ``hash``) before saving, as JupyterLab < 4.1 does,
    after a sync client wrote an older file time or a write landed within the same second."""
    opened = await api.save("doc.txt", _text("v1"), status=201)
    await api.get("doc.txt")
    synced = _stamp(opened["last_modified"]) + mtime_offset
    dav.put("doc.txt", b"v2 from a sync client", mtime=synced)
    await api.get("doc.txt", content="0")
    code, _ = await api.error("PUT", "doc.txt", _text("stale"))
    assert code == 409
    assert dav.download("doc.txt").body == b"v2 from a sync client"


async def test_two_clients_on_one_server_the_stale_one_sending_its_hash_gets_409(api, dav):
    await api.text("doc.txt", "v1")
    x_loaded = await api.get("doc.txt", hash="1")
    y_loaded = await api.get("doc.txt", hash="1")
    await api.save("doc.txt", _text("Y's edit", hash=y_loaded["hash"]))
    code, _ = await api.error("PUT", "doc.txt", _text("X's stale edit", hash=x_loaded["hash"]))
    assert code == 409
    assert dav.download("doc.txt").body == b"Y's edit"


async def test_the_hash_of_a_version_is_stable_and_changes_with_every_write(api, dav):
    await api.text("doc.txt", "v1")
    loaded = await api.get("doc.txt", hash="1")
    checked = await api.get("doc.txt", content="0", hash="1")
    assert checked["hash"] == loaded["hash"] and checked["hash_algorithm"] == "cs3-version"
    await _at_the_start_of_a_second()
    dav.put("doc.txt", b"v2")  # same size as nothing we wrote, no checksum sent
    moved = await api.get("doc.txt", content="0", hash="1")
    dav.put("doc.txt", b"v3!")
    again = await api.get("doc.txt", content="0", hash="1")
    assert len({loaded["hash"], moved["hash"], again["hash"]}) == 3


async def test_jupyterlab_sees_the_change_and_overwrites_only_by_naming_the_new_version(api, dav):
    """JupyterLab's pre-save check shows the File Changed dialog; "Overwrite" then saves.

    The check alone does not count as having seen the new version (a client that does not
    say which version it means gets 409); a save naming it by its ``hash`` goes through.
    """
    opened = await api.save("doc.txt", _text("v1"), status=201)
    await api.get("doc.txt")
    dav.put("doc.txt", b"v2 from elsewhere", mtime=_stamp(opened["last_modified"]) + 60)
    checked = await api.get("doc.txt", content="0", hash="1")
    assert _stamp(checked["last_modified"]) > _stamp(opened["last_modified"])
    assert (await api.error("PUT", "doc.txt", _text("v3")))[0] == 409
    await api.save("doc.txt", _text("v3 chosen by the user", hash=checked["hash"]))
    assert dav.download("doc.txt").body == b"v3 chosen by the user"


async def test_a_file_never_opened_here_can_be_overwritten_deliberately(api, dav):
    """JupyterLab's upload after "Overwrite?" saves without having read the file."""
    dav.put("data.csv", b"old,data\n")
    await api.save("data.csv", _text("new,data\n"))
    assert dav.download("data.csv").body == b"new,data\n"


async def test_after_a_conflict_reloading_lets_the_user_save_again(api, dav):
    await api.text("shared.txt", "original")
    await api.get("shared.txt")
    dav.put("shared.txt", b"theirs")
    assert (await api.error("PUT", "shared.txt", _text("mine")))[0] == 409
    reloaded = await api.get("shared.txt")
    assert reloaded["content"] == "theirs"
    await api.save("shared.txt", _text("theirs + mine"))
    assert dav.download("shared.txt").body == b"theirs + mine"


async def test_the_pre_save_check_is_not_answered_from_a_listing_cache(api, dav):
    """The file browser re-lists the open folder every few seconds, which fills the cache.

    JupyterLab's pre-save metadata request must still see a change made elsewhere since then,
    or the user gets a save error instead of the "File Changed" dialog that offers a choice.
    """
    opened = await api.save("doc.txt", _text("v1"), status=201)
    await api.get("")  # the file browser's listing
    dav.put("doc.txt", b"v2 from elsewhere", mtime=_stamp(opened["last_modified"]) + 60)
    checked = await api.get("doc.txt", content="0")
    assert _stamp(checked["last_modified"]) == _stamp(opened["last_modified"]) + 60


async def test_a_listing_does_not_count_as_having_seen_the_new_version(api, dav):
    """The file browser refreshes constantly; that must not make a stale editor look fresh."""
    await api.text("doc.txt", "v1")
    await api.get("doc.txt")
    dav.put("doc.txt", b"v2 from elsewhere")
    await api.get("")
    assert (await api.error("PUT", "doc.txt", _text("stale")))[0] == 409
    assert dav.download("doc.txt").body == b"v2 from elsewhere"


async def test_saving_a_file_deleted_elsewhere_does_not_bring_it_back_silently(api, dav):
    await api.text("doc.txt", "v1")
    await api.get("doc.txt")
    dav.delete("doc.txt")
    code, _ = await api.error("PUT", "doc.txt", _text("v2"))
    assert code == 409
    with pytest.raises(NotFound):
        dav.stat("doc.txt")


async def test_consecutive_saves_of_our_own_never_conflict(api, dav):
    await api.text("doc.txt", "0")
    for i in range(1, 6):
        await api.save("doc.txt", _text(str(i)))
    assert dav.download("doc.txt").body == b"5"
