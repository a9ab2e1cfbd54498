"""Relative paths inside the user's root, and their percent-encoded form on the wire.

A *relative path* is what Jupyter calls an API path: ``/``-separated, no leading slash,
``""`` for the root. It is checked once here so that no other module has to think about
``..``: a path that tries to climb out of the user's root is refused, never resolved.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

from .errors import BadPath, OutsideRoot

#: The longest name (UTF-8 bytes) EFSS sites store: Nextcloud refuses longer ones, and most
#: file systems stop at 255 bytes.
MAX_NAME_BYTES = 250


def normalize(path: str) -> str:
    """The canonical form of a relative path; :class:`BadPath` for a name no site stores.

    Empty segments and ``.`` are dropped (``a//b/./c`` is ``a/b/c``); ``..`` is refused
    (:class:`OutsideRoot`) rather than resolved, because a client that sends it is confused
    or hostile either way. Names with control characters (a tab, a newline: they cannot
    travel in a WebDAV listing's XML), with unpaired surrogates, or longer than
    :data:`MAX_NAME_BYTES` are refused here with the reason, rather than by the site with
    an error the user cannot act on.
    """
    parts = []
    for part in path.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            raise OutsideRoot(f"The path {path!r} contains '..', which leads outside your files.")
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in part):
            raise BadPath(
                f"The name {part!r} contains a control character (such as a tab or a "
                "newline), which file names on the site cannot hold."
            )
        try:
            size = len(part.encode("utf-8"))
        except UnicodeEncodeError:
            raise BadPath(f"The name {part!r} is not valid Unicode text.") from None
        if size > MAX_NAME_BYTES:
            raise BadPath(
                f"The name '{part[:40]}…' is {size} bytes long; the site stores names of at "
                f"most {MAX_NAME_BYTES} bytes. Choose a shorter name."
            )
        parts.append(part)
    return "/".join(parts)


def join(parent: str, name: str) -> str:
    """``parent/name`` for relative paths, with the root written as ``""``."""
    return f"{parent}/{name}" if parent else name


def split(path: str) -> tuple[str, str]:
    """(parent, name) of a normalised relative path."""
    parent, _, name = path.rpartition("/")
    return parent, name


def encode(path: str) -> str:
    """Percent-encode every segment (spaces, ``#``, ``%``, ``?``, ``+``, ``;``, unicode)."""
    return "/".join(quote(part, safe="") for part in path.split("/"))


def href_path(href: str) -> str:
    """The decoded path of a ``d:href``, which servers send either as a path or a full URL."""
    if href.startswith("/") and "?" not in href and "#" not in href and "//" not in href:
        return unquote(href)  # the usual shape, without the cost of a URL split per entry
    return unquote(urlsplit(href).path)


def relative_to(base: str, decoded_path: str) -> str | None:
    """``decoded_path`` below ``base`` (both decoded, absolute), or None if it is not below it."""
    base = base.rstrip("/")
    candidate = decoded_path.rstrip("/")
    if candidate == base:
        return ""
    if candidate.startswith(base + "/"):
        return candidate[len(base) + 1 :]
    return None
