"""The OCS files_sharing API: shares, received federated shares and the sharee search.

Rules and replies follow Nextcloud 32 (docs/protocols.md §2, §8): share ids are JSON strings,
remote share ids integers; links get the share bit (1 comes back as 17); file shares never
carry create/delete; a plain-http federated recipient needs the scheme in its address.
Deliberate differences, each named in the tests: no shared secret leaves the site (no
``token`` on federated shares, no ``share_token`` in remote shares), and local user shares
are accepted at once (Nextcloud's default setting). A link's password is shown only as its
hash, as Nextcloud does.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

from .federation import Federation
from .files import Entry, normpath
from .mounts import ALL, CREATE, DELETE, READ, SHARE, UPDATE, LocalMount
from .ocm import OcmError, split_cloud_id
from .ocs import SHARING_PREFIX, OcsResult
from .sciencemesh import Contacts
from .shares import (
    FEDERATED,
    GROUP,
    LINK,
    SHARE_TYPES,
    USER,
    RemoteShare,
    Share,
    ShareStore,
    new_token,
)
from .users import hash_password
from .webapp import HttpError, Request

if TYPE_CHECKING:
    from .site import Site

#: Nextcloud's password_policy app (enabled by default) wants link passwords of at least
#: this many bytes (its default ``minLength``); the site says so in its capabilities.
MIN_PASSWORD_LENGTH = 10

NO_SHARE = "Wrong share ID, share does not exist"
NO_PATH = "Wrong path, file/folder does not exist"


class CommonShareFields(TypedDict):
    """What every new share records, whatever its type (``ShareStore.create`` arguments)."""

    owner: str
    file_id: int
    item_type: str
    note: str
    label: str
    expiration: str | None
    file_target: str


def _bool(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1", "yes")


def mimetype(entry: Entry) -> str:
    if entry.is_dir:
        return "httpd/unix-directory"
    return mimetypes.guess_type(entry.name)[0] or "application/octet-stream"


def parse_expiration(value: str) -> str:
    """``YYYY-MM-DD`` (a time part is ignored, as Nextcloud does), not in the past."""
    day = value.strip()[:10]
    try:
        time.strptime(day, "%Y-%m-%d")
    except ValueError:
        raise HttpError(404, "Invalid date. Format must be YYYY-MM-DD") from None
    if day < time.strftime("%Y-%m-%d"):
        raise HttpError(404, "Expiration date is in the past")
    return day


def parse_permissions(value: str | None, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        bits = int(value)
    except ValueError:
        raise HttpError(404, "Invalid permissions") from None
    if bits < 0 or bits > ALL:
        raise HttpError(404, "Invalid permissions")
    if not bits & READ:
        raise HttpError(403, "Shares need at least read permissions")
    return bits


class ShareApi:
    """Handlers for ``/apps/files_sharing/api/v1/...``; each gets (request, user, **ids)."""

    def __init__(
        self,
        *,
        site: Site,
        store: ShareStore,
        federation: Federation,
        contacts: Contacts,
    ) -> None:
        self.site = site
        self.users = site.users
        self.files = site.files
        self.store = store
        self.federation = federation
        self.contacts = contacts

    def routes(self, add: Callable[..., None]) -> None:
        p = SHARING_PREFIX
        add("GET", p + "/shares", self.list_shares)
        add("POST", p + "/shares", self.create)
        add("GET", p + "/shares/pending", self.pending)
        add("POST", p + "/shares/pending/{share_id}", self.accept_pending)
        add("GET", p + "/shares/{share_id}", self.get)
        add("PUT", p + "/shares/{share_id}", self.update)
        add("DELETE", p + "/shares/{share_id}", self.delete)
        add("GET", p + "/remote_shares", self.remote_list)
        add("GET", p + "/remote_shares/pending", self.remote_pending)
        add("POST", p + "/remote_shares/pending/{share_id}", self.remote_accept)
        add("DELETE", p + "/remote_shares/pending/{share_id}", self.remote_decline)
        add("GET", p + "/remote_shares/{share_id}", self.remote_get)
        add("DELETE", p + "/remote_shares/{share_id}", self.remote_unmount)
        add("GET", p + "/sharees", self.sharees)

    # -- helpers ---------------------------------------------------------------------
    def _entry(self, user: str, path: str | None) -> tuple[str, Entry]:
        if not path:
            raise HttpError(404, "Please specify a file or folder path")
        try:
            rel = normpath(path)
        except ValueError:
            raise HttpError(404, NO_PATH) from None
        entry = self.files.stat(user, rel)
        if entry is None:
            raise HttpError(404, NO_PATH)
        return rel, entry

    def _reaches(self, share: Share, user: str) -> bool:
        if share.share_type == USER:
            return share.share_with == user
        if share.share_type == GROUP:
            return share.share_with in self.users.groups_of(user) and share.owner != user
        return False

    def _visible(self, share_id: str, user: str) -> Share:
        share = self.store.get(int(share_id)) if share_id.isdigit() else None
        if (
            share is None
            or share.expired
            or not (share.owner == user or self._reaches(share, user))
        ):
            raise HttpError(404, NO_SHARE)
        return share

    def _owned(self, share_id: str, user: str) -> Share:
        share = self._visible(share_id, user)
        if share.owner != user:
            raise HttpError(404, NO_SHARE)
        return share

    def item(self, share: Share) -> Entry | None:
        """The shared file or folder where it is now (shares follow renames), if it exists."""
        entry = self.files.by_id(share.file_id)
        return entry if entry is not None and entry.user == share.owner else None

    def format(self, share: Share, viewer: str) -> dict[str, Any] | None:
        """Nextcloud's share object; None if the shared item no longer exists."""
        entry = self.item(share)
        if entry is None:
            return None
        parent = self.files.stat(share.owner, entry.path.rpartition("/")[0])
        owner_name = self.users.display_name(share.owner) or share.owner
        data: dict[str, Any] = {
            "id": str(share.id),
            "share_type": share.share_type,
            "uid_owner": share.owner,
            "displayname_owner": owner_name,
            "permissions": share.permissions,
            "can_edit": viewer == share.owner,
            "can_delete": viewer == share.owner or share.share_type == USER,
            "stime": share.stime,
            "parent": None,
            "expiration": f"{share.expiration} 00:00:00" if share.expiration else None,
            "token": share.token if share.share_type == LINK else None,
            "uid_file_owner": share.owner,
            "note": share.note,
            "label": share.label,
            "displayname_file_owner": owner_name,
            "path": "/" + entry.path if viewer == share.owner else share.file_target,
            "item_type": share.item_type,
            "mimetype": mimetype(entry),
            "has_preview": False,
            "storage_id": f"home::{share.owner}",
            "storage": 1,
            "item_source": entry.fileid,
            "file_source": entry.fileid,
            "file_parent": parent.fileid if parent else None,
            "file_target": share.file_target,
            "item_size": entry.size,
            "item_mtime": int(entry.mtime),
            "share_with": share.share_with,
            "share_with_displayname": self._with_name(share),
            "mail_send": 0,
            "hide_download": 0,
            "attributes": None,
        }
        if share.share_type == LINK:
            data["url"] = f"{self.site.url}/index.php/s/{share.token}"
            data["password"] = share.password_hash  # the hash, as Nextcloud; never the password
            data["share_with_displayname"] = "(Shared link)"
        return data

    def _with_name(self, share: Share) -> str | None:
        if share.share_type == USER and share.share_with:
            return self.users.display_name(share.share_with) or share.share_with
        return share.share_with

    def _formatted(self, shares: list[Share], viewer: str) -> list[dict[str, Any]]:
        out = []
        for share in shares:
            if share.expired:
                continue
            data = self.format(share, viewer)
            if data is not None:
                out.append(data)
        return out

    # -- shares --------------------------------------------------------------------------
    def list_shares(self, request: Request, user: str) -> OcsResult:
        if _bool(request.arg("shared_with_me")):
            groups = self.users.groups_of(user)
            return OcsResult(self._formatted(self.store.shared_with(user, groups), user))
        shares = self.store.owned_by(user)
        path = request.arg("path")
        if path is not None:
            rel, entry = self._entry(user, path)
            if _bool(request.arg("subfiles")):
                if not entry.is_dir:
                    raise HttpError(400, "Not a directory")
                children = {child.fileid for child in self.files.children(user, rel)}
                shares = [s for s in shares if s.file_id in children]
            else:
                shares = [s for s in shares if s.file_id == entry.fileid]
        # reshares=true would add others' reshares of my items; resharing is not implemented,
        # so there are none to add.
        return OcsResult(self._formatted(shares, user))

    def get(self, request: Request, user: str, share_id: str) -> OcsResult:
        share = self._visible(share_id, user)
        return OcsResult(self._formatted([share], user))

    def create(self, request: Request, user: str) -> OcsResult:
        rel, entry = self._entry(user, request.arg("path"))
        if rel == "":
            raise HttpError(403, "You cannot share your root folder")
        try:
            share_type = int(request.arg("shareType") or "")
        except ValueError:
            share_type = -1
        if share_type not in SHARE_TYPES:
            raise HttpError(400, "Unknown share type")
        default = READ if share_type == LINK else ALL
        permissions = parse_permissions(request.arg("permissions"), default)
        if not entry.is_dir:
            permissions &= ~(CREATE | DELETE)
        expire = request.arg("expireDate")
        expiration = parse_expiration(expire) if expire else None
        share_with = (request.arg("shareWith") or "").strip()
        common = CommonShareFields(
            owner=user,
            file_id=entry.fileid,
            item_type="folder" if entry.is_dir else "file",
            note=request.arg("note") or "",
            label=request.arg("label") or "",
            expiration=expiration,
            file_target="/" + entry.name,
        )
        if share_type == USER:
            if not share_with or not self.users.exists(share_with):
                raise HttpError(404, "Please specify a valid user")
            if share_with == user:
                raise HttpError(403, "Sharing with yourself is not allowed")
            self._refuse_duplicate(user, entry, share_type, share_with, "user")
            share = self.store.create(
                share_type=USER, share_with=share_with, permissions=permissions, **common
            )
        elif share_type == GROUP:
            if share_with not in self.users.groups():
                raise HttpError(404, "Please specify a valid group")
            self._refuse_duplicate(user, entry, share_type, share_with, "group")
            share = self.store.create(
                share_type=GROUP, share_with=share_with, permissions=permissions, **common
            )
        elif share_type == LINK:
            share = self.store.create(
                share_type=LINK,
                share_with=None,
                permissions=self._link_permissions(request, entry, permissions),
                token=new_token(),
                password_hash=self._password(request.arg("password")),
                **common,
            )
        else:
            share = self._federated(user, entry, share_with, permissions, expiration)
        data = self.format(share, user)
        assert data is not None
        return OcsResult(data)

    def _federated(
        self,
        user: str,
        entry: Entry,
        share_with: str,
        permissions: int,
        expiration: str | None,
    ) -> Share:
        try:
            split_cloud_id(share_with)
        except ValueError:
            raise HttpError(404, "Please specify a valid federated account ID") from None
        for share in self.store.owned_by(user):
            if (
                share.share_type == FEDERATED
                and share.file_id == entry.fileid
                and (share.share_with or "").lower() == share_with.lower()
            ):
                raise HttpError(403, "Path is already shared with this user")
        try:
            return self.federation.share(
                owner=user,
                entry=entry,
                share_with=share_with,
                permissions=permissions,
                expiration=expiration,
            )
        except OcmError:
            raise HttpError(403, "Failed to create share.") from None

    def _refuse_duplicate(self, owner: str, entry: Entry, kind: int, with_: str, noun: str) -> None:
        for share in self.store.owned_by(owner):
            same_item = share.file_id == entry.fileid
            if share.share_type == kind and same_item and share.share_with == with_:
                raise HttpError(403, f"Path is already shared with this {noun}")

    @staticmethod
    def _link_permissions(request: Request, entry: Entry, permissions: int) -> int:
        if _bool(request.arg("publicUpload")):
            if not entry.is_dir:
                raise HttpError(404, "Public upload is only possible for publicly shared folders")
            permissions = READ | UPDATE | CREATE | DELETE
        return permissions | SHARE  # Nextcloud adds the share bit to links (1 -> 17)

    @staticmethod
    def _password(password: str | None) -> str | None:
        """The hash to keep, after the password policy's length check.

        Nextcloud refuses a short link password with the policy's hint as the OCS message
        (HTTP 400 on current versions, 403 on some older ones); an empty one removes it.
        """
        if not password:
            return None
        if len(password.encode()) < MIN_PASSWORD_LENGTH:
            raise HttpError(
                400, f"Password needs to be at least {MIN_PASSWORD_LENGTH} characters long."
            )
        return hash_password(password)

    def update(self, request: Request, user: str, share_id: str) -> OcsResult:
        share = self._owned(share_id, user)
        fields: dict[str, Any] = {}
        form = request.form()
        if "permissions" in form:
            bits = parse_permissions(request.arg("permissions"), share.permissions)
            if share.item_type == "file":
                bits &= ~(CREATE | DELETE)
            fields["permissions"] = bits | SHARE if share.share_type == LINK else bits
        if "publicUpload" in form and share.share_type == LINK:
            entry = self.item(share)
            if entry is None:
                raise HttpError(404, NO_SHARE)
            upload = _bool(request.arg("publicUpload"))
            fields["permissions"] = (
                self._link_permissions(request, entry, READ) if upload else (READ | SHARE)
            )
        if "password" in form and share.share_type == LINK:
            fields["password_hash"] = self._password(request.arg("password"))
        if "expireDate" in form:
            value = request.arg("expireDate") or ""
            fields["expiration"] = parse_expiration(value) if value else None
        for name in ("note", "label"):
            if name in form:
                fields[name] = request.arg(name) or ""
        if not fields:
            raise HttpError(400, "Wrong or no update parameter given")
        data = self.format(self.store.update(share.id, **fields), user)
        if data is None:
            raise HttpError(404, NO_SHARE)
        return OcsResult(data)

    def delete(self, request: Request, user: str, share_id: str) -> OcsResult:
        share = self._visible(share_id, user)
        if share.owner != user and share.share_type != USER:
            raise HttpError(403, "Only the owner can delete a group share")
        self.store.delete(share.id)
        if share.share_type == FEDERATED:
            self.federation.unshare(share)
        return OcsResult([])

    def pending(self, request: Request, user: str) -> OcsResult:
        """Local shares are accepted when made (Nextcloud's default), so none wait."""
        return OcsResult([])

    def accept_pending(self, request: Request, user: str, share_id: str) -> OcsResult:
        share = self._visible(share_id, user)
        if share.owner == user:
            raise HttpError(404, NO_SHARE)
        return OcsResult([])

    # -- received federated shares ------------------------------------------------------------
    def _remote_item(self, received: RemoteShare, enrich: bool) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": received.id,
            "share_type": 0,  # Nextcloud 32 shows 0 here, not 6
            "parent": -1,
            "remote": received.remote,
            "remote_id": received.remote_id,
            "name": received.name,
            "owner": received.owner,
            "user": received.user,
            "mountpoint": received.mountpoint,
            "accepted": int(received.accepted),
        }
        if enrich:
            item.update(self.federation.remote_props(received))
        return item

    def _received(self, share_id: str, user: str, *, accepted: bool) -> RemoteShare:
        received = self.store.remote(int(share_id)) if share_id.isdigit() else None
        if received is None or received.user != user or received.accepted != accepted:
            raise HttpError(404, NO_SHARE)
        return received

    def remote_list(self, request: Request, user: str) -> OcsResult:
        shares = self.store.remotes_of(user, accepted=True)
        return OcsResult([self._remote_item(r, enrich=True) for r in shares])

    def remote_pending(self, request: Request, user: str) -> OcsResult:
        shares = self.store.remotes_of(user, accepted=False)
        return OcsResult([self._remote_item(r, enrich=False) for r in shares])

    def remote_get(self, request: Request, user: str, share_id: str) -> OcsResult:
        return OcsResult(self._remote_item(self._received(share_id, user, accepted=True), True))

    def remote_accept(self, request: Request, user: str, share_id: str) -> OcsResult:
        received = self._received(share_id, user, accepted=False)
        self.federation.accept(received, self.taken_mount_paths(user))
        return OcsResult([])

    def remote_decline(self, request: Request, user: str, share_id: str) -> OcsResult:
        self.federation.decline(self._received(share_id, user, accepted=False))
        return OcsResult([])

    def remote_unmount(self, request: Request, user: str, share_id: str) -> OcsResult:
        self.federation.decline(self._received(share_id, user, accepted=True))
        return OcsResult([])

    # -- mounts -----------------------------------------------------------------------------
    def local_mounts(self, user: str) -> list[LocalMount]:
        """User and group shares in the recipient's tree (skipping the recipient's own)."""
        mounts = []
        for share in self.store.shared_with(user, self.users.groups_of(user)):
            entry = None if share.expired else self.item(share)
            if entry is not None:
                mounts.append(
                    LocalMount(
                        mount_path=share.file_target.strip("/"),
                        owner=share.owner,
                        owner_path=entry.path,
                        permissions=share.permissions,
                        share_id=str(share.id),
                    )
                )
        return mounts

    def taken_mount_paths(self, user: str) -> set[str]:
        local = {m.mount_path for m in self.local_mounts(user)}
        return local | {m.mount_path for m in self.federation.mounts(user)}

    # -- sharees --------------------------------------------------------------------------
    def sharees(self, request: Request, user: str) -> OcsResult:
        term = (request.arg("search") or "").strip()
        wanted = {int(t) for t in request.args("shareType") if t.isdigit()} or {
            USER,
            GROUP,
            FEDERATED,
        }
        low = term.lower()
        exact: dict[str, list[Any]] = {"users": [], "groups": [], "remotes": []}
        partial: dict[str, list[Any]] = {"users": [], "groups": [], "remotes": []}

        def place(kind: str, entry: dict[str, Any], *keys: str) -> None:
            if any(k.lower() == low for k in keys):
                exact[kind].append(entry)
            elif low and any(low in k.lower() for k in keys):
                partial[kind].append(entry)

        if USER in wanted:
            for name in self.users.names():
                if name == user:
                    continue
                label = self.users.display_name(name) or name
                place(
                    "users",
                    {
                        "label": label,
                        "subline": "",
                        "icon": "icon-user",
                        "shareWithDisplayNameUnique": name,
                        "value": {"shareType": USER, "shareWith": name},
                    },
                    name,
                    label,
                )
        if GROUP in wanted:
            for group in self.users.groups():
                place(
                    "groups",
                    {"label": group, "value": {"shareType": GROUP, "shareWith": group}},
                    group,
                )
        if FEDERATED in wanted:
            self._remote_sharees(user, term, exact, partial)
        data: dict[str, Any] = {
            "exact": {
                **exact,
                "remote_groups": [],
                "emails": [],
                "circles": [],
                "rooms": [],
                "lookup": [],
            }
        }
        data.update(
            partial,
            remote_groups=[],
            emails=[],
            circles=[],
            rooms=[],
            lookup=[],
            lookupEnabled=False,
        )
        return OcsResult(data)

    def _remote_sharees(
        self, user: str, term: str, exact: dict[str, list[Any]], partial: dict[str, list[Any]]
    ) -> None:
        """A typed cloud id is an exact remote; ScienceMesh contacts match partially."""
        low = term.lower()
        seen = set()
        if "@" in term:
            try:
                name, server = split_cloud_id(term)
            except ValueError:
                name = ""
            if name:
                exact["remotes"].append(_remote_sharee(name, server, term))
                seen.add(term.lower())
        for contact in self.contacts.of(user):
            cloud_id = contact.cloud_id
            if cloud_id.lower() in seen or not low:
                continue
            if (
                low in contact.contact_id.lower()
                or low in contact.name.lower()
                or low in cloud_id.lower()
            ):
                entry = _remote_sharee(contact.contact_id, contact.server, cloud_id)
                entry["label"] = f"{contact.name} ({cloud_id})"
                partial["remotes"].append(entry)


def _remote_sharee(name: str, server: str, cloud_id: str) -> dict[str, Any]:
    return {
        "label": cloud_id,
        "uuid": cloud_id,
        "name": name,
        "type": "",
        "value": {"shareType": FEDERATED, "shareWith": cloud_id, "server": server},
    }
