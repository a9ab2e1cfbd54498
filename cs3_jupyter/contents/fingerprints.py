"""The ``hash`` of a contents model: a fingerprint of the file's content, never a download.

Clients compare it to tell "changed" from "unchanged" (JupyterLab 4.1+ does before every
save) and may send the one they loaded back with a save (see :mod:`.guard`). So it must
change whenever the content changes, also within one second (Nextcloud's ETag may not), and
be the same in a model with content and in the one without that follows.

``hash_algorithm`` is :data:`HASH_ALGORITHM` and the value says what it was made from:

* ``sha1:<hex>`` (or ``md5:``/``adler32:``/``sha256:`` where the site keeps only those): a
  checksum of the bytes. The site's, which it keeps when the writer sent one (we send
  ``OC-Checksum`` with every write; Nextcloud drops it on a write that sends none), else
  the SHA1 we computed of bytes we wrote or served, as long as the site still describes
  that same version;
* ``etag:<etag>;<size>;<mtime>``: the site keeps no checksum and this server has not seen
  the bytes (written elsewhere, not opened here since): the site's description of the
  version. A same-size change elsewhere within one second, without a checksum, leaves it
  unchanged; nothing short of downloading the file can tell those apart.
"""

from __future__ import annotations

import threading

from ..dav.props import Entry

#: The value of every model's ``hash_algorithm`` (and of the manager's attribute).
HASH_ALGORITHM = "cs3-version"

#: Checksums in the order they are used, SHA1 first: it is the one we send and compute.
_PREFERENCE = ("SHA1", "SHA256", "MD5", "ADLER32")

#: What identifies a version in the site's description: ETag, size, whole-second mtime.
Stamp = tuple[str | None, int | None, int]


def stamp_of(entry: Entry) -> Stamp:
    return (entry.etag, entry.size, int(entry.last_modified.timestamp()))


def of_checksums(checksums: dict[str, str]) -> str | None:
    for algo in _PREFERENCE:
        if algo in checksums:
            return f"{algo.lower()}:{checksums[algo]}"
    return None


class Fingerprints:
    """The SHA1s this server computed, by path, for the version they belong to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, tuple[Stamp, str]] = {}

    def remember(self, path: str, stamp: Stamp, sha1: str) -> str:
        """Note the SHA1 of the bytes of version ``stamp``; returns its fingerprint."""
        with self._lock:
            self._known[path] = (stamp, sha1)
        return f"sha1:{sha1}"

    def of(self, entry: Entry) -> str:
        """The fingerprint of the version ``entry`` describes."""
        from_site = of_checksums(entry.checksums or {})
        if from_site:
            return from_site
        with self._lock:
            known = self._known.get(entry.path)
        if known is not None and known[0] == stamp_of(entry):
            return f"sha1:{known[1]}"
        etag, size, mtime = stamp_of(entry)
        return f"etag:{(etag or '').strip(chr(34))};{size};{mtime}"

    def forget(self, path: str) -> None:
        prefix = path + "/"
        with self._lock:
            for key in [k for k in self._known if k == path or k.startswith(prefix) or not path]:
                del self._known[key]

    def rename(self, old: str, new: str) -> None:
        """A file moved: the SHA1 we know still belongs to it (a move keeps the version)."""
        with self._lock:
            known = self._known.pop(old, None)
            if known is not None:
                self._known[new] = known
