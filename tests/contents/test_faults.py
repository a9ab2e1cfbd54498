"""What the user sees when the site says no, is full, is slow, is down, or the token expires.

Faults are switched on in the real mesh site (read-only folder, quota, lock, slowness,
5xx); "down" is a closed port. Every message must say what happened and what to do, and no
response or log line may contain a secret.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket

import pytest

from cs3_jupyter.dav.errors import NotFound


def _text(content: str) -> dict:
    return {"type": "file", "format": "text", "content": content}


@pytest.fixture
def faults(mesh):
    """Set faults on site "a" for this test only."""

    def set_fault(kind: str, **params) -> None:
        mesh.set_fault("a", kind, **params)

    yield set_fault
    mesh.clear_faults("a")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_read_only_folder_shows_read_only_and_refuses_saves(api, dav, user, faults):
    dav.mkcol("ro")
    dav.put("ro/paper.txt", b"final")
    faults("readonly", user=user.user, path="ro")
    listing = await api.get("")
    assert [item["writable"] for item in listing["content"]] == [False]
    inner = await api.get("ro")
    assert inner["writable"] is False
    assert inner["content"][0]["writable"] is False
    code, message = await api.error("PUT", "ro/paper.txt", _text("changed"))
    assert code == 403
    assert "read-only" in message
    assert dav.download("ro/paper.txt")[0] == b"final"
    code, _ = await api.error("PUT", "ro/new.txt", _text("new"))
    assert code == 403


async def test_quota_exceeded_is_507_with_advice(api, dav, user, faults):
    faults("quota", user=user.user, bytes=100)
    code, message = await api.error("PUT", "big.txt", _text("x" * 1000))
    assert code == 507
    assert "quota" in message and "Free some space" in message
    with pytest.raises(NotFound):
        dav.stat("big.txt")


async def test_locked_file_is_423_and_says_why(api, dav, user, faults):
    dav.put("locked.txt", b"in use")
    faults("lock", user=user.user, path="locked.txt")
    code, message = await api.error("PUT", "locked.txt", _text("mine"))
    assert code == 423
    assert "locked" in message
    assert dav.download("locked.txt")[0] == b"in use"


async def test_site_errors_become_502_naming_the_site(api, mesh, faults):
    faults("status", code=503)
    code, message = await api.error("GET", "")
    assert code == 502
    assert mesh.site("a").host in message and "503" in message


class TestSiteDown:
    @pytest.fixture
    def site_config(self, site_config):
        return {**site_config, "url": f"http://127.0.0.1:{_closed_port()}"}

    async def test_site_down_is_502_with_a_clear_message(self, api, site_config):
        code, message = await api.error("GET", "")
        assert code == 502
        assert "Cannot connect" in message and "Check that the site is up" in message
        assert site_config["url"].split("//")[1] in message


class TestSlowSite:
    @pytest.fixture
    def site_config(self, site_config):
        return {**site_config, "timeout": 0.5}

    async def test_a_slow_site_is_504_after_the_timeout(self, api, faults):
        faults("delay", seconds=3)
        code, message = await api.error("GET", "")
        assert code == 504
        assert "did not answer within 0.5 s" in message

    async def test_a_retry_after_a_save_that_timed_out_but_landed_is_no_conflict(
        self, api, dav, user, faults, mesh
    ):
        """The user is told the save was not confirmed; their retry, once the first save has
        landed after all, is not taken for a change made by someone else."""
        await api.text("doc.txt", "v1")
        await api.get("doc.txt")
        faults("delay", seconds=2, prefix=f"/remote.php/dav/files/{user.user}/doc.txt")
        code, message = await api.error("PUT", "doc.txt", _text("v2"))
        assert code == 504
        assert "did not confirm the save" in message and "Save again" in message
        mesh.clear_faults("a")
        for _ in range(100):  # the first save arrives after the site's delay
            if dav.download("doc.txt").body == b"v2":
                break
            await asyncio.sleep(0.1)
        mesh.reset_stats("a")
        await api.save("doc.txt", _text("v2"))  # the user's retry
        # Its If-Match is refused (the first save changed the file); the site then shows our
        # own bytes, so no second write and no conflict.
        assert mesh.stats("a") == {"PUT": 1, "PROPFIND": 1, "total": 2}
        await api.save("doc.txt", _text("v3"))
        assert dav.download("doc.txt").body == b"v3"


async def test_the_event_loop_keeps_serving_while_the_site_is_slow(api, jp_fetch, faults):
    faults("delay", seconds=3, prefix="/remote.php")
    listing = asyncio.ensure_future(api.get(""))
    status = await jp_fetch("api", "status")
    assert status.code == 200
    assert not listing.done()  # the slow listing is still waiting in its worker thread
    assert (await listing)["type"] == "directory"


class TestWrongPassword:
    @pytest.fixture
    def site_config(self, site_config):
        return {**site_config, "password": "not-the-password-4711"}

    async def test_is_401_and_no_secret_is_shown_or_logged(self, api, jp_logging_stream, caplog):
        caplog.set_level(logging.DEBUG)
        code, message = await api.error("GET", "")
        assert code == 401
        assert "refused the credentials" in message
        for text in (message, jp_logging_stream.getvalue(), caplog.text):
            assert "not-the-password-4711" not in text


class TestTokenFile:
    @pytest.fixture
    def token_path(self, tmp_path):
        path = tmp_path / "token"
        path.write_text("expired-token\n")
        return path

    @pytest.fixture
    def site_config(self, site_config, token_path):
        return {
            "url": site_config["url"],
            "user": site_config["user"],
            "token_file": str(token_path),
        }

    async def test_an_expired_token_is_401(self, api):
        code, message = await api.error("GET", "")
        assert code == 401
        assert "expired-token" not in message

    async def test_a_token_refreshed_in_place_is_picked_up_after_a_401(self, api, token_path, user):
        assert (await api.error("GET", ""))[0] == 401
        # The hub writes the new token but the file's mtime does not move (coarse clocks,
        # copied files): only the re-read after the site's 401 can notice.
        before = os.stat(token_path)
        token_path.write_text(user.token + "\n")
        os.utime(token_path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert (await api.get(""))["type"] == "directory"

    async def test_a_changed_token_file_is_used_without_a_failed_request(
        self, api, token_path, user, mesh
    ):
        assert (await api.error("GET", ""))[0] == 401
        before = os.stat(token_path)
        token_path.write_text(user.token + "\n")
        os.utime(token_path, ns=(before.st_atime_ns, before.st_mtime_ns + 10**9))
        mesh.reset_stats("a")
        await api.get("")
        assert mesh.stats("a").get("PROPFIND") == 1  # no refused first attempt
