"""Jupyter contents models built from what the site said: entries in, dicts out.

Everything here is pure (no I/O), so the manager stays about *when* to ask the site and
this module about *what* Jupyter expects in a model (the same keys and conventions as
jupyter_server's own file manager).
"""

from __future__ import annotations

import base64
import mimetypes
from typing import Any

import nbformat
from tornado.web import HTTPError

from ..dav.props import Entry

#: Preferred order when the site stores several checksums for a file.
_CHECKSUM_PREFERENCE = ("SHA256", "SHA1", "MD5", "ADLER32")


def kind_of(entry: Entry, requested: str | None) -> str:
    """The model type for ``entry``, or a 400 when the caller forces one that cannot fit."""
    if entry.is_dir:
        if requested not in (None, "directory"):
            raise HTTPError(400, f"'{entry.path}' is a directory, not a {requested}.")
        return "directory"
    if requested == "directory":
        raise HTTPError(400, f"'{entry.path}' is not a directory.")
    if requested:
        return requested
    return "notebook" if entry.name.endswith(".ipynb") else "file"


def hash_of(entry: Entry) -> tuple[str | None, str | None]:
    """(hash, algorithm) from the site's checksum, else its ETag; never from the body.

    A checksum names its algorithm; an ETag is only a version token, reported as "etag"
    so a client can still tell "changed" from "unchanged" without downloading.
    """
    for algo in _CHECKSUM_PREFERENCE:
        if algo in entry.checksums:
            return entry.checksums[algo], algo.lower()
    if entry.etag:
        return entry.etag.strip('"'), "etag"
    return None, None


def base_model(entry: Entry, kind: str, *, with_hash: bool = False) -> dict[str, Any]:
    """The model without content, as every ``get``, ``save`` and listing returns it."""
    model: dict[str, Any] = {
        "name": entry.name,
        "path": entry.path,
        "type": kind,
        "writable": entry.writable,
        "created": entry.created or entry.last_modified,
        "last_modified": entry.last_modified,
        "mimetype": None,
        "content": None,
        "format": None,
        "size": None if entry.is_dir else entry.size,
    }
    if kind == "file":
        model["mimetype"] = mimetypes.guess_type(entry.name)[0]
    if with_hash:
        model["hash"], model["hash_algorithm"] = hash_of(entry)
    return model


def fill_file(model: dict[str, Any], body: bytes, requested_format: str | None) -> None:
    """Put ``body`` into a file model as text when it is UTF-8 (or asked so), else base64."""
    if requested_format != "base64":
        try:
            model["content"] = body.decode("utf-8")
            model["format"] = "text"
        except UnicodeDecodeError:
            if requested_format == "text":
                raise HTTPError(
                    400, f"'{model['path']}' is not UTF-8 encoded text.", reason="bad format"
                ) from None
    if model["content"] is None:
        model["content"] = base64.b64encode(body).decode("ascii")
        model["format"] = "base64"
    if model["mimetype"] is None:
        model["mimetype"] = (
            "text/plain" if model["format"] == "text" else "application/octet-stream"
        )


def read_notebook(body: bytes, path: str, validation: dict[str, Any]) -> nbformat.NotebookNode:
    """Parse a notebook; a body that is not one is the user's to fix, so a clear 400.

    Schema problems do not stop reading: they land in ``validation`` for the model's message.
    """
    try:
        return nbformat.reads(
            body.decode("utf-8"), as_version=4, capture_validation_error=validation
        )
    except Exception as err:  # decoding, JSON and nbformat's own errors all mean "not one"
        raise HTTPError(400, f"'{path}' is not a readable notebook: {err}") from None


def notebook_body(notebook: nbformat.NotebookNode, path: str, validation: dict[str, Any]) -> bytes:
    """Serialise a notebook for saving; schema problems land in ``validation``, not in errors."""
    try:
        text = nbformat.writes(
            notebook, version=nbformat.NO_CONVERT, capture_validation_error=validation
        )
    except Exception as err:  # a model nbformat cannot write at all is the client's error
        raise HTTPError(400, f"'{path}' is not a notebook that can be saved: {err!r}") from None
    return text.encode("utf-8")


def body_of(model: dict[str, Any], path: str) -> bytes:
    """The bytes to store for a file model, with a 400 for content that cannot be decoded."""
    content, fmt = model.get("content"), model.get("format")
    if not isinstance(content, str):
        raise HTTPError(400, f"The content for '{path}' must be a string.")
    if fmt == "base64":
        try:
            return base64.b64decode(content.encode("ascii"), validate=True)
        except (ValueError, UnicodeEncodeError):
            raise HTTPError(400, f"The content for '{path}' is not valid base64.") from None
    if fmt in (None, "text"):
        return content.encode("utf-8")
    raise HTTPError(400, f"Unknown format {fmt!r} for '{path}': use 'text' or 'base64'.")
