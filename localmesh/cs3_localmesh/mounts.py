"""What the sharing modules plug into the WebDAV tree: mounts and token (link/OCM) shares.

The WebDAV layer does not know how shares are stored; the sharing code registers resolvers
that answer "what does this user see mounted?" and "what does this token open?".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

#: OCS permission bits (as in Nextcloud's share API).
READ, UPDATE, CREATE, DELETE, SHARE = 1, 2, 4, 8, 16
ALL = READ | UPDATE | CREATE | DELETE | SHARE


@dataclass(frozen=True)
class LocalMount:
    """Another user's item on this site, shown at ``mount_path`` in the recipient's tree."""

    mount_path: str  # relative to the recipient's home, e.g. "proj"
    owner: str
    owner_path: str  # relative to the owner's home
    permissions: int  # OCS bits; the owner's own permissions still apply on top
    share_id: str = ""


@dataclass(frozen=True)
class RemoteMount:
    """An accepted federated share: WebDAV at another site, reached with the shared secret."""

    mount_path: str
    url: str  # WebDAV URL of the shared item itself, e.g. "http://127.0.0.1:8082/public.php/webdav"
    secret: str  # sent as Basic "<secret>:"; never logged or shown
    permissions: int
    owner: str = ""  # federated id of the owner, e.g. "bob@http://127.0.0.1:8082"
    share_id: str = ""


Mount = LocalMount | RemoteMount


@dataclass(frozen=True)
class TokenShare:
    """What a public-link or OCM token opens: an owner's path with OCS permission bits."""

    owner: str
    path: str
    permissions: int
    password_hash: str | None = None  # users.hash_password() value; None = no password


class MountTable:
    """Asks every registered resolver for a user's mounts (resolvers must be thread-safe).

    Unmounters are told when a recipient deletes a mount root over WebDAV, which on Nextcloud
    means "unshare from me"; each one ignores mounts that are not its own.
    """

    def __init__(self) -> None:
        self._resolvers: list[Callable[[str], list[Mount]]] = []
        self._unmounters: list[Callable[[str, Mount], None]] = []
        self._lock = threading.Lock()

    def register_unmounter(self, unmounter: Callable[[str, Mount], None]) -> None:
        with self._lock:
            self._unmounters.append(unmounter)

    @property
    def can_unmount(self) -> bool:
        with self._lock:
            return bool(self._unmounters)

    def unmount(self, user: str, mount: Mount) -> None:
        with self._lock:
            unmounters = list(self._unmounters)
        for unmounter in unmounters:
            unmounter(user, mount)

    def register_resolver(self, resolver: Callable[[str], list[Mount]]) -> None:
        with self._lock:
            self._resolvers.append(resolver)

    def for_user(self, user: str) -> list[Mount]:
        with self._lock:
            resolvers = list(self._resolvers)
        return [mount for resolver in resolvers for mount in resolver(user)]


class TokenShareTable:
    """Asks the registered resolvers what a share token opens; the first answer wins."""

    def __init__(self) -> None:
        self._resolvers: list[Callable[[str], TokenShare | None]] = []
        self._lock = threading.Lock()

    def register_resolver(self, resolver: Callable[[str], TokenShare | None]) -> None:
        with self._lock:
            self._resolvers.append(resolver)

    def resolve(self, token: str) -> TokenShare | None:
        with self._lock:
            resolvers = list(self._resolvers)
        for resolver in resolvers:
            share = resolver(token)
            if share is not None:
                return share
        return None
