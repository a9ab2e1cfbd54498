"""The README's configuration reference names every setting with its environment variable."""

from __future__ import annotations

import re
from pathlib import Path

from cs3_jupyter.app import CS3JupyterApp
from cs3_jupyter.config import ENV_VARS, CS3Site

README = Path(__file__).resolve().parents[2] / "README.md"


def reference_rows() -> dict[str, str]:
    """``trait -> environment variable`` from the table under "Configuration reference"."""
    text = README.read_text()
    section = text.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([\w.]+)` \| `(\w+)` \|", section, re.M)
    return dict(rows)


def test_every_site_trait_is_documented_with_its_variable():
    rows = reference_rows()
    traits = CS3Site.class_trait_names(config=True)
    assert sorted(traits) == sorted(ENV_VARS)
    for name in traits:
        assert rows.get(f"CS3Site.{name}") == ENV_VARS[name], name


def test_the_contents_switch_is_documented():
    assert "manage_contents" in CS3JupyterApp.class_trait_names(config=True)
    assert reference_rows().get("CS3JupyterApp.manage_contents") == "CS3_MANAGE_CONTENTS"
