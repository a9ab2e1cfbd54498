"""The model a client sends with a save, checked field by field before anything is used.

A field of the wrong type or beyond its bounds is the client's mistake: it gets a 400 that
says which field and why, never a 500 or a request to the site. Messages for the mistakes
jupyter_server's own managers also refuse are theirs, word for word (clients and tests
match on them).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from tornado.web import HTTPError

from .errors import ShownHTTPError

#: Chunk numbers: 1, 2, ... up to this (Nextcloud's chunked upload takes at most 10,000
#: parts), and -1 for the last one.
MAX_CHUNK = 10_000
#: Longest accepted ``hash``; ours are far shorter (``sha1:`` and 40 hex digits).
MAX_HASH = 512
_KINDS = ("file", "notebook", "directory")
_FORMATS = ("text", "base64", "json")


@dataclass(frozen=True)
class SaveModel:
    """What a save asks for, once its fields have been checked."""

    kind: str
    format: str | None
    content: Any
    chunk: int | None
    #: The ``hash`` of the version the client loaded (see guard.py), if it sent one.
    hash: str | None


def save_model(model: Any, path: str) -> SaveModel:
    """Check a save's model for ``path``; a 400 names the first field that is wrong."""
    if not isinstance(model, dict):
        raise ShownHTTPError(400, "The body of a save must be a JSON object (a contents model).")
    for key in ("name", "path", "mimetype"):
        if model.get(key) is not None and not isinstance(model[key], str):
            raise ShownHTTPError(400, f"The model's '{key}' must be a string.")
    chunk = model.get("chunk")
    if chunk is not None and (
        not isinstance(chunk, int)
        or isinstance(chunk, bool)
        or not (chunk == -1 or 1 <= chunk <= MAX_CHUNK)
    ):
        raise ShownHTTPError(
            400,
            f"The model's 'chunk' must be a number from 1 to {MAX_CHUNK}, or -1 for the last "
            f"chunk; got {chunk!r:.40}.",
        )
    hash_ = model.get("hash")
    if hash_ is not None and (not isinstance(hash_, str) or not 0 < len(hash_) <= MAX_HASH):
        raise ShownHTTPError(
            400,
            "The model's 'hash' must be the hash of the version you loaded, as this server "
            "gave it (a string), or null.",
        )
    algorithm = model.get("hash_algorithm")
    if algorithm is not None and (not isinstance(algorithm, str) or len(algorithm) > 64):
        raise ShownHTTPError(400, "The model's 'hash_algorithm' must be a short string, or null.")
    if "type" not in model or model["type"] in (None, ""):
        raise ShownHTTPError(400, "No file type provided")
    kind = model["type"]
    if not isinstance(kind, str) or kind not in _KINDS:
        raise ShownHTTPError(400, f"Unhandled contents type: {kind!r:.40}")
    if chunk is not None and kind != "file":
        raise ShownHTTPError(400, f'File type "{kind}" is not supported for large file transfer')
    if "content" not in model and kind != "directory":
        raise ShownHTTPError(400, "No file content provided")
    fmt = model.get("format")
    if fmt is not None and (not isinstance(fmt, str) or fmt not in _FORMATS):
        raise ShownHTTPError(400, f"Unknown format {fmt!r:.40}: use 'text', 'base64' or 'json'.")
    content = model.get("content")
    if kind == "file":
        if fmt not in ("text", "base64"):
            raise ShownHTTPError(400, "Must specify format of file contents as 'text' or 'base64'")
        if not isinstance(content, str):
            raise ShownHTTPError(400, "The content of a file must be a string.")
    elif kind == "notebook":
        if fmt not in (None, "json"):
            raise ShownHTTPError(400, "The content of a notebook is sent as JSON (format 'json').")
        _check_notebook(content, path)
    return SaveModel(kind, fmt, content, chunk, hash_)


def _check_notebook(content: Any, path: str) -> None:
    """The shape the notary and nbformat rely on; deeper problems are schema warnings."""

    def refuse(why: str) -> HTTPError:
        return ShownHTTPError(400, f"'{path}' is not a notebook that can be saved: {why}")

    if not isinstance(content, dict):
        raise refuse("its content must be a JSON object.")
    cells = content.get("cells", [])
    if not isinstance(cells, list) or not all(
        isinstance(cell, dict) and isinstance(cell.get("cell_type"), str) for cell in cells
    ):
        raise refuse("'cells' must be a list of cells, each with a 'cell_type'.")
    if not isinstance(content.get("metadata", {}), dict):
        raise refuse("'metadata' must be a JSON object.")
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        outputs = cell.get("outputs")
        if not isinstance(outputs, list) or not all(isinstance(o, dict) for o in outputs):
            raise refuse("a code cell's 'outputs' must be a list of JSON objects.")


def file_bytes(content: str, fmt: str | None, path: str) -> bytes:
    """The bytes of a file model's content (text is stored as UTF-8).

    Base64 may be wrapped in lines (as ``base64.encodebytes`` and many tools write it);
    anything else that is not base64 is refused.
    """
    if fmt == "base64":
        try:
            return base64.b64decode("".join(content.split()).encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise ShownHTTPError(400, f"The content for '{path}' is not valid base64.") from None
    try:
        return content.encode("utf-8")
    except UnicodeEncodeError:
        raise ShownHTTPError(400, f"The content for '{path}' is not valid Unicode text.") from None
