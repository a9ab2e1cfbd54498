"""A working copy's record on disk: what it mirrors, and the state both sides last agreed on.

The agreed state lives in memory while the server runs. If the server dies (SIGKILL, OOM, a
power loss) the copy stays on disk with whatever the kernel wrote after its last sync; the
record is what lets the next server tell those writes from what was already on the EFSS, and
upload them with the same conditional rules as a normal sync.

The record sits beside the copy in the kernel's folder, never inside the copy (the kernel
must not sync or edit it). It holds paths, ETags, sizes, times and SHA-1s, and a header the
caller gives (who owns the copy, which site and user): never a credential. Each write goes
to a temporary file that is flushed and renamed over the record, so a crash leaves either the
old record or the new one, never half of one.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .local import LocalFile
from .plan import Synced

log = logging.getLogger(__name__)

#: The record's file name in a kernel's folder (the copy is a sibling folder).
RECORD = "working-copy.json"
VERSION = 1


class RecordError(Exception):
    """A record that is missing, unreadable or not one we wrote."""


@dataclass
class Record:
    """What a record says: its header fields and the agreed state."""

    header: dict[str, Any]
    state: dict[str, Synced]
    synced_folders: dict[str, str | None]


def _encode(
    header: Mapping[str, Any], state: Mapping[str, Synced], folders: Mapping[str, str | None]
) -> str:
    files = {
        rel: [s.etag, s.remote_size, s.local.size, s.local.mtime_ns, s.sha1]
        for rel, s in state.items()
    }
    body = {**header, "version": VERSION, "files": files, "folders": dict(folders)}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def read_record(path: str) -> Record:
    """The record at ``path``; :class:`RecordError` if it is missing or malformed."""
    try:
        with open(path, encoding="utf-8") as handle:
            body = json.load(handle)
    except FileNotFoundError as err:
        raise RecordError("no record") from err
    except OSError as err:
        raise RecordError(f"unreadable record: {err.strerror}") from err
    except ValueError as err:
        raise RecordError(f"damaged record: {err}") from err
    try:
        if not isinstance(body, dict) or body.get("version") != VERSION:
            raise ValueError("not a version 1 record")
        files = body.pop("files")
        folders = body.pop("folders")
        state = {
            str(rel): Synced(etag, remote_size, LocalFile(int(size), int(mtime_ns)), str(sha1))
            for rel, (etag, remote_size, size, mtime_ns, sha1) in files.items()
        }
        synced_folders = {str(rel): etag for rel, etag in folders.items()}
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise RecordError(f"damaged record: {err!r}") from err
    return Record(body, state, synced_folders)


class Journal:
    """Keeps the record of one working copy up to date; written only when the state changed."""

    def __init__(self, path: str, header: Mapping[str, Any]) -> None:
        self.path = path
        self.header = dict(header)
        self._written = ""
        self._failed = False

    def save(
        self,
        state: Mapping[str, Synced],
        folders: Mapping[str, str | None],
        *,
        durable: bool = True,
    ) -> None:
        """Write the record if it differs from the last one written. A failure (disk full) is
        logged once and does not fail the sync: the copy itself is still fine. ``durable``
        flushes it to the disk before the rename (a power loss then keeps old or new); the
        first, empty record skips that, as it is written on the event loop."""
        text = _encode(self.header, state, folders)
        if text == self._written:
            return
        folder = os.path.dirname(self.path)
        try:
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".record-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                    if durable:
                        out.flush()
                        os.fsync(out.fileno())  # the rename must not outlive the bytes
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as err:
            if not self._failed:
                log.warning("Could not write the working copy record %s: %s", self.path, err)
                self._failed = True
            return
        self._written = text
        self._failed = False
