"""A save's one PUT, guarded, and what to make of it when the answer is not a plain yes.

Blocking (it talks to the site, and hashes the body); the manager runs it in a worker
thread. The version the save may replace was chosen by the caller (:mod:`.guard`); here:

* a failed ``If-Match`` is a conflict (a failed ``If-None-Match``: the file was created
  meanwhile), unless the version now on the site is a save of ours
  whose answer we never got (it timed out): then it is ours to replace, or already the very
  bytes being saved;
* a save that timed out is checked before anyone is told anything: if the site holds our
  bytes (the checksum we sent, the size), the save landed; otherwise the user is told it did
  not land, and that a retry is safe.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..dav import errors
from ..dav.client import DavClient, WriteResult
from ..dav.props import Entry
from .guard import Guard, Version


@dataclass(frozen=True)
class Landed:
    """A save that is on the site: the write's answer, or the entry that proves it landed."""

    result: WriteResult
    #: Set when the site was asked afterwards (its entry describes exactly our bytes).
    entry: Entry | None = None


def conflict(path: str, site: str) -> errors.PreconditionFailed:
    return errors.PreconditionFailed(
        f"'{path}' was changed on {site} since you opened it (by another program, a sync "
        "client or a colleague). Nothing was overwritten: reload the file to see the other "
        "version, or save yours under a new name."
    )


def gone(path: str, site: str) -> errors.Conflict:
    """The file the client had open is no longer there: say so, not "changed elsewhere".

    From the recipient's side a revoked share looks exactly like a deleted file (the mount
    disappears), so the message names both, and how to keep the unsaved work.
    """
    return errors.Conflict(
        f"'{path}' no longer exists on {site}: it was deleted or moved there, or the owner "
        "stopped sharing it with you. Nothing was written. To keep your version, save it "
        "under a new name (File > Save As)."
    )


def created_meanwhile(path: str, site: str) -> errors.PreconditionFailed:
    return errors.PreconditionFailed(
        f"'{path}' was created on {site} while you were saving (by another program, a sync "
        "client or a colleague). Nothing was overwritten: save yours under a new name, or "
        "save again to replace it."
    )


def _holds(entry: Entry, sha1: str, size: int) -> bool:
    return (entry.checksums or {}).get("SHA1") == sha1 and entry.size == size


def put_guarded(
    client: DavClient,
    guard: Guard,
    path: str,
    body: bytes,
    sha1: str,
    expected: Version | None,
    mtime: int,
    create: bool = False,
) -> Landed:
    """PUT ``body`` at ``path`` if the site still holds ``expected``; with no version
    expected, only if nothing is there (``create``) or whatever is there."""
    if_match = expected.etag if expected is not None else None
    try:
        return Landed(
            client.put(
                path,
                body,
                if_match=if_match,
                if_none_match=create and expected is None,
                mtime=mtime,
                sha1=sha1,
            )
        )
    except errors.PreconditionFailed:
        pass
    except errors.Conflict:  # the folder is gone
        if expected is None:
            raise
        raise gone(path, client.site_name) from None
    except errors.SiteTimeout as timeout:
        guard.sent(path, sha1, len(body))
        return _after_timeout(client, path, body, sha1, timeout)
    # The ETag moved. Only a save of ours that timed out earlier makes that no conflict.
    try:
        current = client.stat(path)
    except errors.NotFound:
        raise gone(path, client.site_name) from None
    if not guard.ours(path, current):
        guard.observe(path, current)
        if expected is None:
            raise created_meanwhile(path, client.site_name)
        raise conflict(path, client.site_name)
    if _holds(current, sha1, len(body)):
        return Landed(WriteResult(current.etag, current.last_modified, current.seen_at), current)
    try:
        result = client.put(path, body, if_match=current.etag, mtime=mtime, sha1=sha1)
    except errors.PreconditionFailed:
        raise conflict(path, client.site_name) from None
    return Landed(result)


def _after_timeout(
    client: DavClient, path: str, body: bytes, sha1: str, timeout: errors.SiteTimeout
) -> Landed:
    try:
        current = client.stat(path)
    except errors.DavError:
        current = None
    if current is not None and _holds(current, sha1, len(body)):
        return Landed(WriteResult(current.etag, current.last_modified, current.seen_at), current)
    raise errors.SiteTimeout(
        f"{client.site_name} did not confirm the save of '{path}' in time, and the file there "
        "does not show your version (yet). Save again: if the first save arrived after all, "
        "the next one is not taken for a conflict."
    ) from timeout
