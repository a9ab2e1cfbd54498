"""Checks on what a browser (or any API client) sends, before any of it reaches a site.

Every field of every REST body and query is type-checked and bounded here, so a wrong type,
a huge string, a lone surrogate (which ``requests`` cannot encode: a 500 later) or a path
that climbs out of the user's files becomes a 400 with a reason, never a request to a site.
A share path goes through the same normaliser as contents paths (:func:`dav.paths.normalize`).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from ..dav.errors import BadPath
from ..dav.paths import normalize
from .errors import SharingError, bad_request

# Bounds: far above what a person types, far below what could hurt a site or this server.
MAX_PATH_CHARS = 4096
#: Nextcloud (and most file systems) refuse a name of 255 bytes or more.
MAX_NAME_BYTES = 254
MAX_NOTE_CHARS = 10_000
MAX_RECIPIENT_CHARS = 512
MAX_PASSWORD_CHARS = 512
MAX_DESCRIPTION_CHARS = 1_000
MAX_TOKEN_CHARS = 4_096
MAX_SEARCH_CHARS = 256
MAX_ID_CHARS = 256

PERMISSIONS = ("view", "edit")
SHARE_TYPES = ("user", "group", "link", "federated")
RECEIVED_STATES = ("pending", "accepted", "revoked", "all")


def body_object(body: Any, allowed: set[str], what: str) -> dict[str, Any]:
    """The body as a JSON object with only ``allowed`` keys."""
    if not isinstance(body, dict):
        raise bad_request(f"Send a JSON object {what}.")
    unknown = sorted(str(key)[:40] for key in set(body) - allowed)
    if unknown:
        raise bad_request(f"Unknown field(s): {', '.join(unknown)}.")
    return body


def _printable(value: str, name: str, *, multiline: bool) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request(f"'{name}' contains characters that are not valid text.") from None
    allowed = "\n\r\t" if multiline else ""
    for char in value:
        if char not in allowed and unicodedata.category(char) == "Cc":
            raise bad_request(
                f"'{name}' contains a control character (such as a tab or a newline)."
            )
    return value


def text(
    value: Any,
    name: str,
    *,
    max_chars: int,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """A string field: ``None`` is ``""`` unless ``required``; bounded and valid UTF-8."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise bad_request(f"'{name}' must be a string.")
    if required and not value.strip():
        raise bad_request(f"'{name}' must not be empty.")
    if len(value) > max_chars:
        raise bad_request(f"'{name}' is too long (at most {max_chars} characters).")
    return _printable(value, name, multiline=multiline)


def field(body: dict[str, Any], key: str, **kwargs: Any) -> str:
    return text(body.get(key), key, **kwargs)


def share_path(value: Any, name: str = "path") -> str:
    """A contents-API path, normalised exactly as the contents manager does (no ``..``)."""
    raw = text(value, name, max_chars=MAX_PATH_CHARS, required=True)
    try:
        path = normalize(raw)
    except BadPath as err:
        raise bad_request(err.message) from None
    for part in path.split("/"):
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise bad_request(
                f"'{part[:40]}…' is longer than {MAX_NAME_BYTES} bytes: no file can have that name."
            )
    return path


def query_path(value: str) -> str:
    """The optional ``path`` filter of a listing: ``""`` for everything."""
    return share_path(value) if value.strip("/") else ""


def permission(value: Any) -> str:
    if value not in PERMISSIONS:
        raise bad_request("'permission' must be 'view' or 'edit'.")
    return str(value)


def share_type(value: Any) -> str:
    if value not in SHARE_TYPES:
        raise bad_request("'type' must be one of user, group, link, federated.")
    return str(value)


def expiration(value: Any) -> str:
    """``YYYY-MM-DD`` in the future; ``""`` for "no expiry"."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) != 10:
        raise bad_request("'expiration' must be a date written YYYY-MM-DD.")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise bad_request("'expiration' must be a date written YYYY-MM-DD.") from None
    if day <= date.today():
        raise bad_request("The expiry date must be in the future.")
    return value


def received_state(value: str) -> str:
    if value not in RECEIVED_STATES:
        raise bad_request("'state' must be pending, accepted, revoked or all.")
    return value


def search_text(value: str) -> str:
    query = text(value, "q", max_chars=MAX_SEARCH_CHARS).strip()
    if not query:
        raise bad_request("Type part of a name to search for.")
    return query


def identifier(value: str, what: str) -> str:
    """An id from a URL path (share id, contact user or site): short printable text.

    An id we never handed out cannot name anything, so a malformed one is "not found".
    """
    try:
        return text(value, what, max_chars=MAX_ID_CHARS, required=True)
    except SharingError:
        raise SharingError(404, "not_found", f"There is no such {what}.") from None
