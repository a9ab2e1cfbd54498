"""Invitations: a bare token, an invite link or an OCM invite string (docs/protocols.md §3.6)."""

from __future__ import annotations

import base64

import pytest

from cs3_jupyter.sharing.invites import parse_invitation

TOKEN = "968f8818-d2f0-4e17-bd38-f2c04953a721"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        (TOKEN, (TOKEN, "")),
        (f"  {TOKEN}\n", (TOKEN, "")),
        (
            f"https://dir.example.org/?token={TOKEN}&providerDomain=cloud.example.org",
            (TOKEN, "cloud.example.org"),
        ),
        (
            f"http://127.0.0.1:8781/mesh/directory.json?token={TOKEN}"
            "&providerDomain=127.0.0.1%3A8781",
            (TOKEN, "127.0.0.1:8781"),
        ),
        (f"https://a.example.org/accept?token={TOKEN}", (TOKEN, "")),
        (b64(f"{TOKEN}@cloud.example.org"), (TOKEN, "cloud.example.org")),
        (b64(f"{TOKEN}@cloud.example.org").rstrip("="), (TOKEN, "cloud.example.org")),
        ("abcd", ("abcd", "")),  # valid base64, but not of token@site
    ],
)
def test_every_form_gives_token_and_site(pasted, expected):
    assert parse_invitation(pasted) == expected
