"""CS3Site: what a hub admin sets by config or by the spawner's environment is what is used."""

from __future__ import annotations

import pytest
from traitlets.config import Config

from cs3_jupyter.config import ENV_VARS, CS3Site


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)


def test_every_setting_falls_back_to_its_environment_variable(monkeypatch):
    monkeypatch.setenv("CS3_SITE_URL", "https://cloud.example.org/")
    monkeypatch.setenv("CS3_USER", "alice")
    monkeypatch.setenv("CS3_TOKEN_FILE", "/run/secrets/token")
    monkeypatch.setenv("CS3_VERIFY_TLS", "0")
    monkeypatch.setenv("CS3_TIMEOUT", "7.5")
    monkeypatch.setenv("CS3_MESH_SITES", "https://a.example, https://b.example")
    site = CS3Site()
    assert site.url == "https://cloud.example.org"  # normalized like a configured URL
    assert (site.user, site.token_file) == ("alice", "/run/secrets/token")
    assert (site.verify_tls, site.timeout) == (False, 7.5)
    assert site.mesh_sites == ["https://a.example", "https://b.example"]
    assert site.configured and site.credential_source == "token_file"


def _sample(site: CS3Site, name: str) -> tuple[str, object]:
    """A value for ``name``'s variable that differs from the trait's default, and its parse."""
    default = site.traits()[name].default()
    if isinstance(default, bool):
        return ("0", False) if default else ("1", True)
    if isinstance(default, float):
        return "12.5", 12.5
    if isinstance(default, int):
        return str(default + 3), default + 3
    if isinstance(default, list):
        return "https://x.example", ["https://x.example"]
    if name in ("url", "mesh_directory_url"):
        return "https://x.example/dir", "https://x.example/dir"
    return "some-value", "some-value"


@pytest.mark.parametrize("name", sorted(ENV_VARS))
def test_each_setting_reads_its_own_variable(monkeypatch, name):
    """Every trait in the table has a working environment default (none forgotten)."""
    raw, expected = _sample(CS3Site(), name)
    monkeypatch.setenv(ENV_VARS[name], raw)
    assert getattr(CS3Site(), name) == expected


def test_config_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("CS3_USER", "from-env")
    config = Config()
    config.CS3Site.user = "from-config"
    assert CS3Site(config=config).user == "from-config"


def test_unset_or_empty_variables_keep_the_safe_defaults(monkeypatch):
    monkeypatch.setenv("CS3_VERIFY_TLS", "")  # an empty variable must not turn TLS checks off
    site = CS3Site()
    assert site.verify_tls is True
    assert site.timeout == 30.0
    assert site.webdav_root == "/remote.php/dav/files/{user}/"
    assert site.mesh_sites == []
    assert not site.configured


def test_a_url_without_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("CS3_SITE_URL", "cloud.example.org")
    with pytest.raises(ValueError, match="http:// or https://"):
        CS3Site().url  # noqa: B018


def test_describe_names_the_credential_but_never_shows_it(monkeypatch):
    monkeypatch.setenv("CS3_PASSWORD", "hunter2-secret")
    config = Config()
    config.CS3Site.token = "tok-secret"
    described = CS3Site(config=config).describe()
    assert "hunter2-secret" not in repr(described) and "tok-secret" not in repr(described)
    assert described["password"] == described["token"] == "(set)"
    assert described["credential_source"] == "token"
