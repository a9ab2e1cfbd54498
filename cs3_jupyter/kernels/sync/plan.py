"""The sync rules, as a pure function: what to do with each path, given the last agreed state
and what each side holds now. No I/O here, so every rule is easy to read and to test.

The rules are those of desktop sync clients:

========================  =======================  =====================================
local (since last sync)   EFSS (since last sync)   action
========================  =======================  =====================================
unchanged                 unchanged                nothing
changed or new            unchanged / absent       upload (If-Match the known ETag, or
                                                   If-None-Match: * for a new file)
unchanged                 changed or new           download
changed or new            changed or new           keep both: the EFSS version keeps the
                                                   name, the kernel's becomes a conflict
                                                   copy beside it (uploaded as a new file)
deleted                   unchanged                delete on the EFSS (If-Match)
deleted                   changed                  download (a change beats a deletion)
unchanged                 deleted                  delete locally
changed                   deleted                  upload as a new file (nothing is lost)
========================  =======================  =====================================

Downloads respect the caps (per file, total bytes, file count); what does not fit is
skipped and reported, never half-synced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ...dav.props import Entry
from .local import LocalFile


@dataclass
class Synced:
    """What both sides held for a file at the end of the last sync."""

    etag: str | None
    remote_size: int | None
    local: LocalFile
    sha1: str


@dataclass(frozen=True)
class Caps:
    """Bounds on what is downloaded automatically (0 means no bound)."""

    max_file_bytes: int = 0
    max_total_bytes: int = 0
    max_files: int = 0


@dataclass
class Plan:
    """What one sync does, in the order it must be done."""

    make_local_folders: list[str] = field(default_factory=list)
    downloads: list[tuple[str, Entry]] = field(default_factory=list)
    #: Both sides changed: (path, the EFSS entry, whether the EFSS version fits the caps).
    conflicts: list[tuple[str, Entry, bool]] = field(default_factory=list)
    delete_local: list[str] = field(default_factory=list)
    #: Folders the EFSS removed; removed locally once empty.
    remove_local_folders: list[str] = field(default_factory=list)
    make_remote_folders: list[str] = field(default_factory=list)
    #: (path, ETag it must still have, or None: it must not exist yet).
    uploads: list[tuple[str, str | None]] = field(default_factory=list)
    delete_remote: list[tuple[str, str | None]] = field(default_factory=list)
    #: Whole folders deleted locally whose EFSS folder did not change: one DELETE each.
    remove_remote_folders: list[tuple[str, str | None]] = field(default_factory=list)
    #: Both sides hold the same bytes (checksums agree): just record it.
    adopt: list[tuple[str, Entry]] = field(default_factory=list)
    #: Gone on both sides, or under a removed folder: drop from the state.
    forget: list[str] = field(default_factory=list)
    #: Over a cap: (path, entry, which cap: 'file', 'total' or 'count').
    skipped: list[tuple[str, Entry, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.make_local_folders,
                self.downloads,
                self.conflicts,
                self.delete_local,
                self.remove_local_folders,
                self.make_remote_folders,
                self.uploads,
                self.delete_remote,
                self.remove_remote_folders,
                self.adopt,
                self.forget,
            )
        )


def remote_changed(entry: Entry, synced: Synced) -> bool:
    """A new ETag, or (Nextcloud keeps an ETag for up to a second) a new size."""
    if entry.etag != synced.etag:
        return True
    return entry.size is not None and synced.remote_size not in (None, entry.size)


def _below(path: str, folders: Iterable[str]) -> bool:
    return any(path == f or path.startswith(f + "/") for f in folders)


def plan(
    *,
    state: dict[str, Synced],
    synced_folders: dict[str, str | None],
    local: dict[str, LocalFile],
    local_folders: set[str],
    local_changed: dict[str, str],
    remote: dict[str, Entry],
    remote_folders: dict[str, Entry],
    caps: Caps,
) -> Plan:
    """Decide every action of one sync.

    ``local_changed`` maps each local file whose content differs from the synced state (or
    that is new) to its SHA-1; ``remote``/``remote_folders`` are what the EFSS holds now.
    """
    out = Plan()

    # Folders first: a folder deleted locally whose EFSS twin did not change goes in one DELETE.
    gone_remote = []
    for path in sorted(set(remote_folders) - local_folders):
        if _below(path, [p for p, _ in out.remove_remote_folders]):
            continue
        etag = remote_folders[path].etag
        if path in synced_folders and etag is not None and etag == synced_folders[path]:
            out.remove_remote_folders.append((path, etag))
            gone_remote.append(path)
        else:
            out.make_local_folders.append(path)
    for path in sorted(local_folders - set(remote_folders)):
        if path in synced_folders:
            out.remove_local_folders.append(path)
        else:
            out.make_remote_folders.append(path)
    out.remove_local_folders.sort(key=lambda p: p.count("/"), reverse=True)

    budget_bytes, budget_files = 0, 0
    wanted: list[tuple[str, Entry]] = []
    for path in sorted(set(state) | set(local) | set(remote)):
        if _below(path, gone_remote):
            out.forget.append(path)
            continue
        synced, here, there = state.get(path), local.get(path), remote.get(path)
        changed_here = here is not None and path in local_changed
        changed_there = there is not None and (synced is None or remote_changed(there, synced))
        if here is not None and there is not None:
            if not changed_here and not changed_there:
                budget_bytes += there.size or 0
                budget_files += 1
            elif changed_here and not changed_there:
                out.uploads.append((path, synced.etag if synced else None))
            elif changed_there and not changed_here:
                wanted.append((path, there))
            elif (there.checksums or {}).get("SHA1", "").lower() == local_changed[path]:
                out.adopt.append((path, there))
            else:
                out.conflicts.append((path, there, True))
        elif here is not None:  # not on the EFSS (any more)
            if synced is not None and not changed_here:
                out.delete_local.append(path)
            else:
                out.uploads.append((path, None))
        elif there is not None:  # not here (any more)
            if synced is not None and not changed_there:
                out.delete_remote.append((path, synced.etag))
            else:
                wanted.append((path, there))
        else:
            out.forget.append(path)

    for path, entry in wanted:
        size = entry.size or 0
        reason = ""
        if caps.max_file_bytes and size > caps.max_file_bytes:
            reason = "file"
        elif caps.max_total_bytes and budget_bytes + size > caps.max_total_bytes:
            reason = "total"
        elif caps.max_files and budget_files + 1 > caps.max_files:
            reason = "count"
        if reason:
            out.skipped.append((path, entry, reason))
            continue
        budget_bytes += size
        budget_files += 1
        out.downloads.append((path, entry))
    # A conflict whose EFSS side is over a cap still saves the kernel's copy, without download.
    out.conflicts = [
        (path, entry, not (caps.max_file_bytes and (entry.size or 0) > caps.max_file_bytes))
        for path, entry, _ in out.conflicts
    ]
    return out


def uploads_only(todo: Plan) -> Plan:
    """The part of a plan that saves the kernel's work, for a copy whose server died.

    Such a copy is deleted once recovered, so nothing is downloaded into it (a conflict
    still saves the kernel's version as a conflict copy; the EFSS version keeps the name)
    and nothing local is touched. Nothing is deleted on the EFSS either: a copy left on
    disk for days may have been thinned by a temporary-file cleaner, so a file missing from
    it is no proof that the kernel deleted it.
    """
    return Plan(
        make_remote_folders=todo.make_remote_folders,
        uploads=todo.uploads,
        conflicts=[(path, entry, False) for path, entry, _ in todo.conflicts],
        adopt=todo.adopt,
        forget=todo.forget,
    )
