"""Jupyter contents models built from what the site said: entries in, dicts out.

Everything here is pure (no I/O), so the manager stays about *when* to ask the site and
this module about *what* Jupyter expects in a model (the same keys and conventions as
jupyter_server's own file manager).
"""

from __future__ import annotations

import base64
import json
import mimetypes
from typing import Any

import nbformat
from nbformat import NotebookNode, ValidationError
from nbformat.v4.rwbase import rejoin_lines, strip_transient
from traitlets.log import get_logger

from ..dav.props import Entry
from .errors import ShownHTTPError
from .fingerprints import HASH_ALGORITHM


def kind_of(entry: Entry, requested: str | None) -> str:
    """The model type for ``entry``, or a 400 when the caller forces one that cannot fit."""
    if entry.is_dir:
        if requested not in (None, "directory"):
            raise ShownHTTPError(400, f"{entry.path} is a directory, not a {requested}")
        return "directory"
    if requested == "directory":
        raise ShownHTTPError(400, f"{entry.path} is not a directory")
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


def file_content(body: bytes, requested_format: str | None, path: str) -> tuple[str, str]:
    """(content, format) of a file model: text when it is UTF-8 (or asked so), else base64."""
    if requested_format != "base64":
        try:
            return body.decode("utf-8"), "text"
        except UnicodeDecodeError:
            if requested_format == "text":
                raise ShownHTTPError(
                    400, f"'{path}' is not UTF-8 encoded text.", reason="bad format"
                ) from None
    return base64.b64encode(body).decode("ascii"), "base64"


def read_notebook(body: bytes, path: str, validation: dict[str, Any]) -> nbformat.NotebookNode:
    """Parse a notebook; a body that is not one is the user's to fix, so a clear 400.

    Schema problems do not stop reading: they land in ``validation`` for the model's message.
    """
    try:
        return _read_v4(body, validation)
    except _NotV4:
        pass
    except Exception as err:  # decoding, JSON and nbformat's own errors all mean "not one"
        raise ShownHTTPError(400, f"'{path}' is not a readable notebook: {err}") from None
    try:
        return nbformat.reads(
            body.decode("utf-8"), as_version=4, capture_validation_error=validation
        )
    except Exception as err:  # as above
        raise ShownHTTPError(400, f"'{path}' is not a readable notebook: {err}") from None


class _NotV4(Exception):
    """Not an nbformat 4 notebook: nbformat's own reader converts it."""


def _read_v4(body: bytes, validation: dict[str, Any]) -> nbformat.NotebookNode:
    """What ``nbformat.reads(..., as_version=4)`` gives for a version 4 notebook, in one pass.

    nbformat decodes the JSON into dicts, then copies the whole tree into NotebookNodes,
    visiting every line of every output (200,000 of them in a 10 MB notebook: half the time
    of opening it). Here the decoder makes the NotebookNodes as it goes, which is the same
    tree; then the same steps follow (lines rejoined, transient fields dropped, validated,
    an invalid notebook logged and reported in ``validation``, not refused).
    """
    notebook = json.loads(body.decode("utf-8"), object_hook=NotebookNode)
    if not isinstance(notebook, NotebookNode) or notebook.get("nbformat") != 4:
        raise _NotV4
    try:
        rejoin_lines(notebook)
        strip_transient(notebook)
    except AttributeError as err:  # as nbformat's reader words it
        raise ValidationError(
            f"The notebook is invalid and is missing an expected key: {err}"
        ) from None
    try:
        nbformat.validate(notebook)
    except ValidationError as err:
        get_logger().error("Notebook JSON is invalid: %s", err)
        validation["ValidationError"] = err
    return notebook


def notebook_body(notebook: nbformat.NotebookNode, path: str, validation: dict[str, Any]) -> bytes:
    """Serialise a notebook for saving; schema problems land in ``validation``, not in errors."""
    try:
        text = nbformat.writes(
            notebook, version=nbformat.NO_CONVERT, capture_validation_error=validation
        )
    except Exception as err:  # a model nbformat cannot write at all is the client's error
        raise ShownHTTPError(
            400, f"'{path}' is not a notebook that can be saved: {err!r}"
        ) from None
    return text.encode("utf-8")
