"""Credentials on the way out: token files read defensively, user info never kept in a URL.

Against a real local-mesh site: a bad token file must give a clear 401-type error that names
the setting (never the token), and never reach a header.
"""

from __future__ import annotations

import logging
import os

import pytest

from cs3_jupyter.config import ENV_VARS, CS3Site
from cs3_jupyter.dav import errors
from cs3_jupyter.dav.client import DavClient
from cs3_jupyter.transport.auth import make_auth
from cs3_jupyter.transport.urls import may_redirect, site_name, split_userinfo


@pytest.fixture
def user(new_user):
    return new_user("a")


def _client(mesh, user, token_file) -> DavClient:
    return DavClient(
        mesh.site("a").url, user.user, make_auth(user.user, token_file=str(token_file))
    )


def test_one_trailing_newline_is_dropped(mesh, user, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(user.token + "\n")
    token_file.chmod(0o600)
    assert _client(mesh, user, token_file).listdir("")[0].is_dir


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("{token}\nX-Injected: 1\n", "control characters"),
        ("{token}\r", "control characters"),
        ("\n", "is empty"),
    ],
)
def test_a_token_with_control_characters_is_refused_without_showing_it(
    mesh, user, tmp_path, caplog, content, said
):
    caplog.set_level(logging.DEBUG)
    token_file = tmp_path / "token"
    token_file.write_text(content.format(token=user.token))
    token_file.chmod(0o600)
    mesh.reset_stats("a")
    with pytest.raises(errors.AuthenticationFailed) as failure:
        _client(mesh, user, token_file).stat("")
    assert said in failure.value.message and "CS3Site.token_file" in failure.value.message
    assert user.token not in failure.value.message and user.token not in caplog.text
    assert mesh.stats("a").get("total", 0) == 0  # nothing was sent


def test_a_folder_or_binary_file_is_a_clear_401(mesh, user, tmp_path):
    with pytest.raises(errors.AuthenticationFailed) as failure:
        _client(mesh, user, tmp_path).stat("")
    assert "folder" in failure.value.message or "regular file" in failure.value.message
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00token")
    binary.chmod(0o600)
    with pytest.raises(errors.AuthenticationFailed) as failure:
        _client(mesh, user, binary).stat("")
    assert "not UTF-8" in failure.value.message


def test_a_token_file_others_can_read_is_warned_about_once(mesh, user, tmp_path, caplog):
    token_file = tmp_path / "token"
    token_file.write_text(user.token)
    os.chmod(token_file, 0o644)
    client = _client(mesh, user, token_file)
    with caplog.at_level(logging.WARNING, logger="cs3_jupyter.transport.auth"):
        client.stat("")
        token_file.write_text(user.token)  # re-read after a change: no second warning
        os.utime(token_file, ns=(1, 1))
        client.stat("")
    warnings = [r for r in caplog.records if "other users" in r.getMessage()]
    assert len(warnings) == 1
    assert user.token not in caplog.text


def test_user_info_is_split_off_and_never_shown():
    assert split_userinfo("http://alice:p%40ss@host:8080/x") == (
        "http://host:8080/x",
        "alice",
        "p@ss",
    )
    assert site_name("https://alice:secret@cloud.example.org:8443/nc") == "cloud.example.org:8443"
    assert not may_redirect("http://127.0.0.1:8000/x", "http://127.0.0.1:8001/x")
    assert not may_redirect("http://host/x", "http://user:pw@host/y")
    assert may_redirect("http://host/x", "https://host/x")
    assert not may_redirect("https://host/a", "http://host/b")


def test_a_site_url_with_user_info_becomes_the_login(monkeypatch, caplog):
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CS3_SITE_URL", "http://alice:alice-pass@cloud.example.org/")
    monkeypatch.setenv("CS3_MESH_DIRECTORY_URL", "https://dir:dir-secret@mesh.example.org/d.json")
    with caplog.at_level(logging.WARNING):
        site = CS3Site()
        assert site.url == "http://cloud.example.org"
        assert (site.user, site.password) == ("alice", "alice-pass")
        assert site.mesh_directory_url == "https://mesh.example.org/d.json"
        described = repr(site.describe())
    assert "alice-pass" not in described and "dir-secret" not in described
    assert "alice-pass" not in caplog.text
    # An explicit password wins over the URL's.
    monkeypatch.setenv("CS3_PASSWORD", "explicit")
    assert CS3Site().password == "explicit"


def test_errors_name_the_site_without_user_info(user):
    client = DavClient("http://bob:hunter2@127.0.0.1:9", user.user, make_auth(user.user, "x"))
    with pytest.raises(errors.SiteUnavailable) as failure:
        client.stat("")
    assert "127.0.0.1:9" in failure.value.message and "hunter2" not in failure.value.message
    assert "hunter2" not in client.site_url
