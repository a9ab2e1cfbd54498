"""Listings and models reflect the EFSS at the moment they are asked for.

A file browser that polls must show what a sync client, the web interface or a colleague
changed a second ago; nothing a listing said is served again to a later request. Within one
REST request the handler's follow-up questions (``file_exists`` before the save) reuse what
the site said a moment before, and the save is conditional on exactly that, so a file
created or changed in between is never overwritten unseen.
"""

from __future__ import annotations

import asyncio
import time

from tornado.web import HTTPError


async def test_a_file_added_elsewhere_is_in_the_next_listing(api, dav, mesh):
    await api.text("mine.txt", "m")
    assert [item["name"] for item in (await api.get(""))["content"]] == ["mine.txt"]
    dav.put("theirs.txt", b"from a sync client")
    mesh.reset_stats("a")
    listing = await api.get("")
    assert sorted(item["name"] for item in listing["content"]) == ["mine.txt", "theirs.txt"]
    assert mesh.stats("a") == {"PROPFIND": 1, "total": 1}


async def test_a_file_removed_elsewhere_is_gone_from_the_next_listing(api, dav):
    dav.put("doomed.txt", b"x")
    assert [item["name"] for item in (await api.get(""))["content"]] == ["doomed.txt"]
    dav.delete("doomed.txt")
    assert (await api.get(""))["content"] == []


async def test_every_poll_of_a_folder_asks_the_site_once(api, mesh):
    await api.text("a.txt", "a")
    mesh.reset_stats("a")
    for _ in range(3):
        await api.get("")
    assert mesh.stats("a") == {"PROPFIND": 3, "total": 3}


async def test_a_folder_model_without_content_shows_a_change_made_inside_it_elsewhere(api, dav):
    dav.mkcol("data")
    dav.put("data/one.csv", b"1", mtime=int(time.time()) - 3600)
    listed = next(item for item in (await api.get(""))["content"] if item["name"] == "data")
    await asyncio.sleep(1.02 - time.time() % 1)
    dav.put("data/two.csv", b"2")  # the site moves the folder's time on
    model = await api.get("data", content="0")
    assert model["last_modified"] != listed["last_modified"]
    assert model["last_modified"] == dav.stat("data").last_modified.isoformat().replace(
        "+00:00", "Z"
    )


async def test_a_new_untitled_file_never_takes_a_name_created_elsewhere_since_the_listing(api, dav):
    await api.get("")  # the file browser showed an empty folder
    dav.put("untitled.txt", b"a colleague's notes")
    created = await api.ok("POST", "", {"type": "file", "ext": ".txt"}, status=201)
    assert created["name"] == "untitled1.txt"
    assert dav.download("untitled.txt").body == b"a colleague's notes"


async def test_a_file_created_between_the_existence_check_and_the_save_is_not_overwritten(
    dav, jp_serverapp
):
    """The handler's sequence within one request: ``file_exists`` said no, then the save
    creates the file only if it is still missing."""
    manager = jp_serverapp.contents_manager
    assert not await manager.file_exists("report.txt")
    dav.put("report.txt", b"written meanwhile")
    model = {"type": "file", "format": "text", "content": "mine"}
    try:
        await manager.new(model, "report.txt")
    except HTTPError as err:
        assert err.status_code == 409
        assert "was created on" in err.log_message and "Nothing was overwritten" in err.log_message
    else:
        raise AssertionError("the save replaced a file it never saw")
    assert dav.download("report.txt").body == b"written meanwhile"


async def test_a_file_changed_between_the_existence_check_and_the_save_is_not_overwritten(
    dav, jp_serverapp
):
    """A file this server never gave out: the save replaces only what the check just saw."""
    dav.put("shared.txt", b"v1", mtime=int(time.time()) - 60)
    manager = jp_serverapp.contents_manager
    assert await manager.file_exists("shared.txt")
    dav.put("shared.txt", b"v2 from elsewhere")
    model = {"type": "file", "format": "text", "content": "mine"}
    try:
        await manager.save(model, "shared.txt")
    except HTTPError as err:
        assert err.status_code == 409
    else:
        raise AssertionError("the save replaced a version it never saw")
    assert dav.download("shared.txt").body == b"v2 from elsewhere"
