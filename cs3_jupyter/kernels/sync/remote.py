"""The EFSS side of a working copy: the folder's tree, listed as cheaply as the site allows.

Nextcloud, ownCloud and the local mesh change a folder's ETag whenever anything below it
changes. So one ``PROPFIND Depth: 1`` of the notebook's folder says whether any subfolder
changed, and only the subfolders whose ETag moved are listed again: when nothing changed, a
refresh is exactly one request, whatever the depth of the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ...dav import paths
from ...dav.client import DavClient
from ...dav.props import Entry
from .local import ignored


@dataclass
class _Listing:
    etag: str | None
    children: list[Entry]


class RemoteTree:
    """The files and folders below ``folder`` on the EFSS, refreshed incrementally."""

    def __init__(
        self,
        client: DavClient,
        folder: str,
        ignore: Iterable[str],
        *,
        trust_folder_etags: bool = True,
    ) -> None:
        self.client = client
        self.folder = paths.normalize(folder)
        self.ignore = tuple(ignore)
        self.trust_folder_etags = trust_folder_etags
        #: Last listing of each folder (relative to ``folder``; "" is the folder itself).
        self._listings: dict[str, _Listing] = {}

    def remote_path(self, rel: str) -> str:
        """The EFSS path of a path relative to the working copy."""
        return paths.join(self.folder, rel) if rel else self.folder

    def refresh(
        self, listdir: Callable[[str], tuple[Entry, list[Entry]]] | None = None
    ) -> tuple[dict[str, Entry], dict[str, Entry], Entry]:
        """(files, folders, the root folder's entry), keyed by path relative to the folder."""
        listdir = listdir or self.client.listdir
        files: dict[str, Entry] = {}
        folders: dict[str, Entry] = {}
        seen: set[str] = set()
        root, children = listdir(self.folder)
        self._listings[""] = _Listing(root.etag, children)
        seen.add("")
        pending = [("", children)]
        while pending:
            rel, entries = pending.pop()
            for entry in entries:
                if ignored(entry.name, self.ignore):
                    continue
                child = paths.join(rel, entry.name)
                if not entry.is_dir:
                    files[child] = entry
                    continue
                folders[child] = entry
                seen.add(child)
                known = self._listings.get(child)
                if (
                    self.trust_folder_etags
                    and known is not None
                    and entry.etag is not None
                    and known.etag == entry.etag
                ):
                    pending.append((child, known.children))
                    continue
                _, grandchildren = listdir(self.remote_path(child))
                self._listings[child] = _Listing(entry.etag, grandchildren)
                pending.append((child, grandchildren))
        for stale in set(self._listings) - seen:
            del self._listings[stale]
        return files, folders, root

    def forget(self, rel: str = "") -> None:
        """Drop what is known of a folder (and so list it again next time)."""
        self._listings.pop(rel, None)
