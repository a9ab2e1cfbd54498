"""Saves never overwrite a change made elsewhere, and JupyterLab's own check keeps working.

"Elsewhere" is the independent WebDAV client: the same user's sync client, web UI or a
colleague's share, writing straight to the site behind Jupyter's back.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from cs3_jupyter.dav.errors import NotFound


def _stamp(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def _text(content: str) -> dict:
    return {"type": "file", "format": "text", "content": content}


async def test_save_after_a_change_elsewhere_is_409_and_keeps_the_other_version(api, dav):
    await api.text("shared.txt", "original")
    await api.get("shared.txt")  # the user opens it
    dav.put("shared.txt", b"colleague's edit")
    code, message = await api.error("PUT", "shared.txt", _text("my edit"))
    assert code == 409
    assert "changed" in message and "since you opened it" in message
    assert "Nothing was overwritten" in message
    assert dav.download("shared.txt")[0] == b"colleague's edit"


async def test_after_a_conflict_reloading_lets_the_user_save_again(api, dav):
    await api.text("shared.txt", "original")
    await api.get("shared.txt")
    dav.put("shared.txt", b"theirs")
    assert (await api.error("PUT", "shared.txt", _text("mine")))[0] == 409
    reloaded = await api.get("shared.txt")
    assert reloaded["content"] == "theirs"
    await api.save("shared.txt", _text("theirs + mine"))
    assert dav.download("shared.txt")[0] == b"theirs + mine"


async def test_jupyterlab_sees_the_change_and_can_overwrite_after_asking(api, dav):
    """JupyterLab asks for the file's metadata before saving and compares last_modified.

    If it is newer it asks the user; "Overwrite" then saves. That metadata request is the
    user seeing the new version, so the save that follows goes through.
    """
    opened = await api.save("doc.txt", _text("v1"), status=201)
    dav.put("doc.txt", b"v2 from elsewhere", mtime=_stamp(opened["last_modified"]) + 60)
    checked = await api.get("doc.txt", content="0")
    assert _stamp(checked["last_modified"]) > _stamp(opened["last_modified"])
    await api.save("doc.txt", _text("v3 chosen by the user"))
    assert dav.download("doc.txt")[0] == b"v3 chosen by the user"


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
    assert dav.download("doc.txt")[0] == b"v2 from elsewhere"


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
    assert dav.download("doc.txt")[0] == b"5"
