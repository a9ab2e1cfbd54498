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
from .fingerprints import HASH_ALGORITHM


def kind_of(entry: Entry, requested: str | None) -> str:
    """The model type for ``entry``, or a 400 when the caller forces one that cannot fit."""
    if entry.is_dir:
        if requested not in (None, "directory"):
            raise HTTPError(400, f"{entry.path} is a directory, not a {requested}")
        return "directory"
    if requested == "directory":
        raise HTTPError(400, f"{entry.path} is not a directory")
    if requested:
        return requested
    return "notebook" if entry.name.endswith(".ipynb") else "file"


def base_model(entry: Entry, kind: str, *, hash_: str | None = None) -> dict[str, Any]:
    """The model without content, as every ``get``, ``save`` and listing returns it.

    ``hash`` and ``hash_algorithm`` are always there, None unless the caller asked for the
    fingerprint (:mod:`.fingerprints`), as jupyter_server's own managers do.
    """
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
        "hash": hash_,
        "hash_algorithm": HASH_ALGORITHM if hash_ is not None else None,
    }
    if kind == "file":
        model["mimetype"] = _mimetype(entry.name)
    return model


_MIMETYPES: dict[str, str | None] = {}


def _mimetype(name: str) -> str | None:
    """``mimetypes.guess_type`` by what follows the first dot (which is all it looks at,
    suffixes and encodings), remembered: a large listing has few kinds of names."""
    dot = name.find(".")
    if dot < 0:
        return None
    suffixes = name[dot:]
    if suffixes not in _MIMETYPES:
        if len(_MIMETYPES) >= 1024:
            return mimetypes.guess_type("x" + suffixes)[0]
        _MIMETYPES[suffixes] = mimetypes.guess_type("x" + suffixes)[0]
    return _MIMETYPES[suffixes]


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
