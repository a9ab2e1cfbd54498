"""Demo accounts and files, so a fresh mesh has someone to share with.

The passwords are public on purpose (demo and tests only): ``<user>-pass``.
"""

from __future__ import annotations

import json

from .site import Site

#: Users per site position: the first site gets alice and carol, the second bob and dave.
DEMO_USERS = [("alice", "carol"), ("bob", "dave")]

#: What JupyterLab records for the Python 3 kernel, so the demo notebooks open without asking.
_PYTHON3 = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
}


def demo_notebook(*cells: tuple[str, str]) -> bytes:
    """A valid nbformat 4.5 notebook for the Python 3 kernel from (cell type, source) pairs;
    cells get stable ids (4.5 requires them: without, every open would add new ones)."""
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": kind,
                    "id": f"cell-{number}",
                    "metadata": {},
                    "source": source.splitlines(keepends=True),
                }
                | ({"execution_count": None, "outputs": []} if kind == "code" else {})
                for number, (kind, source) in enumerate(cells, start=1)
            ],
            "metadata": _PYTHON3,
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    ).encode()


_WELCOME = demo_notebook(("markdown", "# Welcome\nThis notebook lives on your EFSS site."))


#: Alice's project folder: data beside the notebooks, read with plain relative paths because
#: the kernel works in a synced copy of the folder; the large file goes through efss://.
BIG_READINGS = "data/hourly readings 2025.csv"

PROJECT_NOTEBOOKS = {
    "analysis.ipynb": demo_notebook(
        (
            "markdown",
            "# Station temperatures\n"
            "Mean temperature per station, from `data/measurements.csv` beside this notebook. "
            "The kernel runs in a synced copy of this folder, so relative paths just work.",
        ),
        (
            "code",
            "import csv\n"
            "from collections import defaultdict\n"
            "from IPython.display import Markdown\n\n"
            "readings = defaultdict(list)\n"
            "with open('data/measurements.csv') as f:\n"
            "    for row in csv.DictReader(f):\n"
            "        readings[row['station']].append(float(row['temperature_c']))\n\n"
            "table = ['| station | days | mean °C | min °C | max °C |', '|---|---|---|---|---|']\n"
            "for station, temps in sorted(readings.items()):\n"
            "    mean = sum(temps) / len(temps)\n"
            "    table.append(f'| {station} | {len(temps)} | {mean:.2f} | {min(temps):.1f} | "
            "{max(temps):.1f} |')\n"
            "Markdown('\\n'.join(table))",
        ),
    ),
    "yearly summary.ipynb": demo_notebook(
        (
            "markdown",
            f"# Yearly summary from a large file\n"
            f"`{BIG_READINGS}` is larger than what a kernel copies into its working folder, "
            "so it is read straight from the EFSS through `efss://` (streamed, whatever its "
            "size; your password never reaches the kernel).",
        ),
        (
            "code",
            "import csv\n"
            "from collections import defaultdict\n"
            "import fsspec\n\n"
            "totals, counts = defaultdict(float), defaultdict(int)\n"
            f"with fsspec.open('efss://Project Mesh/{BIG_READINGS}', 'rt') as f:\n"
            "    for row in csv.DictReader(f):\n"
            "        city = row['station'].rsplit('-', 1)[0]  # sensors are named city-number\n"
            "        totals[city] += float(row['temperature_c'])\n"
            "        counts[city] += 1\n"
            "means = {s: round(totals[s] / counts[s], 2) for s in sorted(totals)}\n"
            "means",
        ),
        (
            "code",
            "import os\n\n"
            "os.makedirs('results', exist_ok=True)\n"
            "with open('results/yearly means.csv', 'w') as out:\n"
            "    out.write('station,mean_temperature_c\\n')\n"
            "    for station, mean in means.items():\n"
            "        out.write(f'{station},{mean}\\n')\n"
            "print(open('results/yearly means.csv').read())",
        ),
        (
            "markdown",
            "`results/yearly means.csv` is on the EFSS as soon as the cell above has finished: "
            "look in the file browser, or in your sync client.",
        ),
    ),
}


def hourly_readings_csv(target_bytes: int = 60_000_000) -> bytes:
    """Hourly readings of many sensors in four cities: a deterministic file larger than a
    kernel's per-file sync limit (50 MB by default). One year per city is built once and
    repeated under other sensor names, so a fresh mesh writes it in a fraction of a second."""
    years = {}
    for city, base in (("Geneva", 8.0), ("Lisbon", 15.0), ("Oslo", 1.0), ("Reykjavik", -1.0)):
        rows = []
        for hour in range(24 * 365):
            day, at = divmod(hour, 24)
            temperature = base + ((hour * 7919) % 1000) / 100 - 5
            rows.append(
                f"2025-{1 + day // 31 % 12:02d}-{1 + day % 28:02d}T{at:02d}:00,@,"
                f"{temperature:.1f},{40 + hour % 56}"
            )
        years[city] = "\n".join(rows) + "\n"
    parts, size, sensor = ["timestamp,station,temperature_c,humidity_pct\n"], 0, 0
    while size < target_bytes:
        city = list(years)[sensor % len(years)]
        part = years[city].replace(",@,", f",{city}-{sensor:03d},")
        parts.append(part)
        size += len(part)
        sensor += 1
    return "".join(parts).encode()


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
                    site.files.write_bytes(user, "Notebooks/welcome.ipynb", _WELCOME)
            created.append((site.name, user, password))
    return created
