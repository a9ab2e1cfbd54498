"""Demo accounts and files, so a fresh mesh has someone to share with.

The passwords are public on purpose (demo and tests only): ``<user>-pass``.
"""

from __future__ import annotations

import json

from .site import Site

#: Users per site position: the first site gets alice and carol, the second bob and dave.
DEMO_USERS = [("alice", "carol"), ("bob", "dave")]

_WELCOME = {
    "cells": [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": ["# Welcome\n", "This notebook lives on your EFSS site."],
        }
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def seed(sites: list[Site], kind: str | None) -> list[tuple[str, str, str]]:
    """Create the demo users (idempotent); returns (site, user, password) for printing."""
    created: list[tuple[str, str, str]] = []
    if kind is None:
        return created
    if kind not in ("demo", "minimal"):
        raise ValueError("seed must be 'demo', 'minimal' or absent")
    for site, users in zip(sites, DEMO_USERS, strict=False):
        for user in users:
            password = f"{user}-pass"
            if not site.users.exists(user):
                site.add_user(user, password=password, groups=[f"team-{site.name}"])
                if kind == "demo":
                    site.files.mkdir(user, "Notebooks")
                    site.files.write_bytes(
                        user, "Notebooks/welcome.ipynb", json.dumps(_WELCOME, indent=1).encode()
                    )
            created.append((site.name, user, password))
    return created
