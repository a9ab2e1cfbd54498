"""The files the workloads read: folders of many entries and notebooks of given sizes.

The same tree is written once to the site (over plain WebDAV, in parallel, outside any
measurement) and once to a local folder for the stock manager.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import nbformat
import requests
from requests.adapters import HTTPAdapter

#: Bytes of output text per cell: notebooks grow by cells like real ones do.
_CELL_OUTPUT = 48 * 1024


def notebook_bytes(size: int) -> bytes:
    """A valid notebook of about ``size`` bytes: code cells with stream outputs."""
    notebook = nbformat.v4.new_notebook()
    line = "measurement 0123456789 abcdefghijklmnopqrstuvwxyz\n"
    remaining = size
    number = 0
    while remaining > 0:
        number += 1
        text = line * max(1, min(remaining, _CELL_OUTPUT) // len(line))
        cell = nbformat.v4.new_code_cell(f"print(load({number}))", execution_count=number)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        notebook.cells.append(cell)
        remaining -= len(text) + 200
    return nbformat.writes(notebook).encode()


#: The folder the writing workloads work in, so the listed folders stay as they are.
SCRATCH = "scratch"


def folder_name(entries: int) -> str:
    return f"list-{entries}"


def entry_name(index: int) -> str:
    return f"file-{index:05d}.txt"


def notebook_name(size: int) -> str:
    return f"notebook-{size // 1024}k.ipynb"


class Tree:
    """The workload files, written to the site and to a local folder."""

    def __init__(self, list_sizes: list[int], notebook_sizes: list[int]) -> None:
        self.list_sizes = list_sizes
        self.notebooks = {size: notebook_bytes(size) for size in notebook_sizes}

    def write_local(self, root: Path) -> None:
        (root / SCRATCH).mkdir()
        for entries in self.list_sizes:
            folder = root / folder_name(entries)
            folder.mkdir()
            for index in range(entries):
                (folder / entry_name(index)).write_bytes(b"x\n")
        for size, body in self.notebooks.items():
            (root / notebook_name(size)).write_bytes(body)

    def write_site(self, url: str, user: str, password: str, workers: int = 8) -> None:
        session = requests.Session()
        session.mount("http://", HTTPAdapter(pool_maxsize=workers))
        session.auth = (user, password)
        base = f"{url.rstrip('/')}/remote.php/dav/files/{quote(user)}/"

        def send(method: str, path: str, data: bytes | None = None) -> None:
            response = session.request(method, base + quote(path), data=data, timeout=120)
            response.raise_for_status()

        send("MKCOL", SCRATCH)
        for entries in self.list_sizes:
            send("MKCOL", folder_name(entries))
        files = [
            (f"{folder_name(entries)}/{entry_name(index)}", b"x\n")
            for entries in self.list_sizes
            for index in range(entries)
        ]
        files += [(notebook_name(size), body) for size, body in self.notebooks.items()]
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda item: send("PUT", *item), files))  # re-raises any failure
        session.close()


def notebook_dict(body: bytes) -> dict:
    """The notebook as JupyterLab sends it back on save: plain JSON of what the contents API
    served (multi-line strings joined, as nbformat reads them), not the file's split lines."""
    return json.loads(json.dumps(nbformat.reads(body.decode("utf-8"), as_version=4)))
