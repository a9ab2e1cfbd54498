"""Federated shares from both ends, the way two Nextcloud sites do it.

Sender (A): an OCS type-6 share discovers the recipient's site, stores the share with a
fresh shared secret (its id is the OCM ``providerId``) and POSTs it to the peer; the secret
then opens the shared item at A's ``/public.php/webdav/`` (see ``SharingSide.token_share``).
Receiver (B): the share waits as pending; accepting tells A and mounts it in the user's
tree; declining or unmounting tells A, which drops it; A's unshare makes B drop it.
Notifications are best effort, as on real sites: a peer that is down must not block a user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import requests
from defusedxml import ElementTree as SafeET

from .files import Entry
from .mounts import ALL, RemoteMount
from .ocm import WEBDAV_PATH, OcmClient, OcmError, host_of, require, split_cloud_id
from .sciencemesh import Contacts
from .shares import FEDERATED, RemoteShare, Share, ShareStore, new_secret
from .webapp import HttpError

if TYPE_CHECKING:
    from .site import Site

log = logging.getLogger(__name__)

PENDING_MOUNT = "{{TemporaryMountPointName#%s}}"  # what Nextcloud shows before acceptance
NS = {
    "d": "DAV:",
    "oc": "http://owncloud.org/ns",
    "ocs": "http://open-collaboration-services.org/ns",
}
DAV_PROPS = b"""<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"
 xmlns:ocs="http://open-collaboration-services.org/ns"><d:prop>
<d:getcontenttype/><d:getlastmodified/><d:resourcetype/><ocs:share-permissions/><oc:fileid/>
</d:prop></d:propfind>"""


class Federation:
    """Outgoing and incoming federated shares of one site."""

    def __init__(
        self,
        *,
        site: Site,
        store: ShareStore,
        contacts: Contacts,
        client: OcmClient,
        must_invite: Callable[[], bool],
    ) -> None:
        self.site = site
        self.store = store
        self.contacts = contacts
        self.users = site.users
        self.files = site.files
        self.client = client
        self.must_invite = must_invite

    def cloud_id(self, user: str) -> str:
        """A local user's address in OCM payloads: ``user@host:port`` (no scheme, per spec)."""
        return f"{user}@{self.site.host}"

    # -- sender ----------------------------------------------------------------------------
    def share(
        self,
        *,
        owner: str,
        entry: Entry,
        share_with: str,
        permissions: int,
        expiration: str | None,
    ) -> Share:
        """Create the share and deliver it; raises :class:`OcmError` if the peer refuses."""
        user, remote = split_cloud_id(share_with)
        if "://" not in remote:
            # Nextcloud assumes https for a bare host; plain-http sites need the scheme.
            remote = "https://" + remote
        if host_of(remote) == self.site.host:
            raise OcmError("the recipient is on this site: share with the user directly")
        doc = self.client.discover(remote.rstrip("/"))
        name = entry.name
        secret = new_secret()
        share = self.store.create(
            share_type=FEDERATED,
            owner=owner,
            file_id=entry.fileid,
            item_type="folder" if entry.is_dir else "file",
            share_with=f"{user}@{remote.rstrip('/')}",
            permissions=permissions,
            file_target="/" + name,
            expiration=expiration,
            token=secret,
        )
        display = self.users.display_name(owner) or owner
        payload = {
            "shareWith": f"{user}@{host_of(remote)}",
            "name": name,
            "description": "",
            "providerId": str(share.id),
            "owner": self.cloud_id(owner),
            "ownerDisplayName": display,
            "sender": self.cloud_id(owner),
            "senderDisplayName": display,
            "shareType": "user",
            "resourceType": share.item_type,
            "protocol": {
                "name": "webdav",
                "options": {
                    "sharedSecret": secret,
                    "permissions": "{http://open-cloud-mesh.org/ns}share-permissions",
                },
            },
        }
        try:
            self.client.post(doc["endPoint"], "shares", payload)
        except OcmError:
            self.store.delete(share.id)
            raise
        return share

    def unshare(self, share: Share) -> None:
        """Tell the recipient's site the share is gone (the row is deleted by the caller)."""
        _, remote = split_cloud_id(share.share_with or "")
        self._notify_quietly(remote, "SHARE_UNSHARED", share.item_type, str(share.id), share.token)

    # -- receiver --------------------------------------------------------------------------
    def receive(self, body: dict[str, Any]) -> dict[str, Any]:
        """OCM ``POST /shares``: check it, find the sender's site, store a pending share."""
        require(body, "shareWith", "name", "providerId", "owner", "shareType", "resourceType")
        protocol = body.get("protocol")
        if not isinstance(protocol, dict) or not protocol.get("name"):
            raise HttpError(400, "Missing arguments", validation=["protocol"])
        if body["shareType"] != "user":
            raise HttpError(501, "Share type not supported")
        if body["resourceType"] not in ("file", "folder"):
            raise HttpError(501, "Resource type not supported")
        try:
            user, host = split_cloud_id(str(body["shareWith"]))
            owner, owner_host = split_cloud_id(str(body["owner"]))
        except ValueError:
            raise HttpError(400, "shareWith and owner must be federated cloud ids") from None
        if host_of(host) != self.site.host or not self.users.exists(user):
            raise HttpError(400, "User does not exist")
        sender_host = owner_host
        if body.get("sender"):
            try:
                sender, sender_host = split_cloud_id(str(body["sender"]))
            except ValueError:
                raise HttpError(400, "sender must be a federated cloud id") from None
        else:
            sender = owner
        if self.must_invite() and not self.contacts.knows(user, sender, sender_host):
            raise HttpError(403, "The sender is not an accepted contact of the recipient")
        secret, webdav_url = self._access(protocol)
        try:
            base, doc = self.client.discover_remote(sender_host)
        except OcmError:
            raise HttpError(400, "The sender's site does not answer OCM discovery") from None
        if not webdav_url.startswith(("http://", "https://")):
            prefix = _webdav_prefix(doc, str(body["resourceType"]))
            webdav_url = f"{base}{prefix}/{webdav_url.lstrip('/')}"
        name = "/" + str(body["name"]).strip("/").rsplit("/", 1)[-1]
        try:
            self.store.add_remote(
                user=user,
                remote=base + "/",
                remote_id=str(body["providerId"]),
                share_token=secret,
                name=name,
                owner=owner,
                owner_display_name=str(body.get("ownerDisplayName") or owner),
                resource_type=str(body["resourceType"]),
                webdav_url=webdav_url.rstrip("/"),
                ocm_endpoint=str(doc["endPoint"]),
                mountpoint=PENDING_MOUNT % name,
            )
        except Exception as exc:
            if "UNIQUE" in str(exc):
                raise HttpError(400, "This share was received already") from None
            raise
        return {"recipientDisplayName": self.users.display_name(user) or user}

    def accept(self, received: RemoteShare, taken: set[str]) -> RemoteShare:
        """Mount the share at a free name (``proj``, ``proj (2)``...) and tell the sender."""
        base = received.name.strip("/")
        target, n = base, 1
        while target in taken or self.files.stat(received.user, target) is not None:
            n += 1
            target = f"{base} ({n})"
        accepted = self.store.accept_remote(received.id, "/" + target)
        self._notify_received(accepted, "SHARE_ACCEPTED")
        return accepted

    def decline(self, received: RemoteShare) -> None:
        """Decline a pending share or unmount an accepted one: the sender drops it either way."""
        self.store.delete_remote(received.id)
        self._notify_received(received, "SHARE_DECLINED")

    def notified(self, body: dict[str, Any]) -> dict[str, Any]:
        """OCM ``POST /notifications`` from the other end of a share."""
        require(body, "notificationType", "providerId")
        notification = body.get("notification")
        secret = notification.get("sharedSecret") if isinstance(notification, dict) else None
        if not secret:
            raise HttpError(400, "Missing arguments", validation=["notification.sharedSecret"])
        kind, provider_id = str(body["notificationType"]), str(body["providerId"])
        if kind == "SHARE_UNSHARED":
            received = self.store.remote_by_provider_id(provider_id, str(secret))
            if not received:
                raise HttpError(400, "Share not found")
            for item in received:
                self.store.delete_remote(item.id)
            return {}
        if kind in ("SHARE_ACCEPTED", "SHARE_DECLINED"):
            share = self.store.get(int(provider_id)) if provider_id.isdigit() else None
            if share is None or share.share_type != FEDERATED or share.token != secret:
                raise HttpError(400, "Share not found")
            if kind == "SHARE_DECLINED":
                self.store.delete(share.id)
            return {}
        raise HttpError(501, "Notification type not supported")

    def mounts(self, user: str) -> list[RemoteMount]:
        return [
            RemoteMount(
                mount_path=r.mountpoint.strip("/"),
                url=r.webdav_url,
                secret=r.share_token,
                permissions=ALL,  # the sender enforces the real ones on every request
                owner=f"{r.owner}@{r.remote.rstrip('/')}",
                share_id=str(r.id),
            )
            for r in self.store.remotes_of(user, accepted=True)
        ]

    def remote_props(self, received: RemoteShare) -> dict[str, Any]:
        """mimetype, mtime, permissions, type and file_id of an accepted share, read at the
        sender like Nextcloud does; empty if the sender cannot be reached."""
        try:
            reply = self.client.session.request(
                "PROPFIND",
                received.webdav_url + "/",
                data=DAV_PROPS,
                headers={"Depth": "0", "Content-Type": "application/xml"},
                auth=(received.share_token, ""),
                timeout=10,
            )
        except requests.RequestException as exc:
            log.warning("could not read share %s at %s: %s", received.id, received.remote, exc)
            return {}
        if reply.status_code != 207:
            log.warning(
                "share %s at %s answered %s", received.id, received.remote, reply.status_code
            )
            return {}
        return _props(reply.content)

    # -- internals ---------------------------------------------------------------------------
    @staticmethod
    def _access(protocol: dict[str, Any]) -> tuple[str, str]:
        """(secret, uri) from a legacy ``webdav`` or an OCM 1.1 ``multi`` protocol.

        The uri of a legacy share is empty: the data is at the sender's DAV prefix. Both are
        read with Basic ``<secret>:``, which the sites of this mesh accept for either shape.
        """
        webdav = protocol.get("webdav")
        if protocol.get("name") == "multi" and isinstance(webdav, dict):
            secret, uri = webdav.get("sharedSecret"), str(webdav.get("uri") or "")
            if secret:
                return str(secret), uri
        options = protocol.get("options")
        if protocol.get("name") == "webdav" and isinstance(options, dict):
            if options.get("sharedSecret"):
                return str(options["sharedSecret"]), ""
        raise HttpError(400, "Missing arguments", validation=["protocol.sharedSecret"])

    def _notify_received(self, received: RemoteShare, kind: str) -> None:
        try:
            self.client.post(
                received.ocm_endpoint,
                "notifications",
                {
                    "notificationType": kind,
                    "resourceType": received.resource_type,
                    "providerId": received.remote_id,
                    "notification": {"sharedSecret": received.share_token, "message": kind},
                },
            )
        except OcmError as exc:
            log.warning("could not notify %s of %s: %s", received.remote, kind, exc)

    def _notify_quietly(
        self, remote: str, kind: str, resource_type: str, provider_id: str, secret: str | None
    ) -> None:
        try:
            doc = self.client.discover(remote.rstrip("/"))
            self.client.post(
                doc["endPoint"],
                "notifications",
                {
                    "notificationType": kind,
                    "resourceType": resource_type,
                    "providerId": provider_id,
                    "notification": {"sharedSecret": secret, "message": kind},
                },
            )
        except OcmError as exc:
            log.warning("could not notify %s of %s: %s", remote, kind, exc)


def _webdav_prefix(doc: dict[str, Any], resource_type: str) -> str:
    """The sender's DAV prefix for shares of this resource type (first one, else NC's)."""
    for item in doc.get("resourceTypes") or []:
        if isinstance(item, dict) and item.get("name") in (resource_type, "file"):
            webdav = (item.get("protocols") or {}).get("webdav")
            if isinstance(webdav, str) and webdav:
                return webdav.rstrip("/")
    return WEBDAV_PATH.rstrip("/")


def _props(xml: bytes) -> dict[str, Any]:
    try:
        root = SafeET.fromstring(xml)
    except SafeET.ParseError:
        return {}
    prop = next(
        (
            stat.find("d:prop", NS)
            for stat in root.findall("d:response/d:propstat", NS)
            if " 200 " in f"{stat.findtext('d:status', '', NS)} "
        ),
        None,
    )
    if prop is None:
        return {}
    is_dir = prop.find("d:resourcetype/d:collection", NS) is not None
    bits = prop.findtext("ocs:share-permissions", "", NS)
    return {
        "mimetype": "httpd/unix-directory" if is_dir else prop.findtext("d:getcontenttype", "", NS),
        "mtime": _unix(prop.findtext("d:getlastmodified", "", NS)),
        "permissions": int(bits) if bits.isdigit() else None,
        "type": "dir" if is_dir else "file",
        "file_id": prop.findtext("oc:fileid", "", NS),
    }


def _unix(http_date: str) -> int | None:
    try:
        return int(parsedate_to_datetime(http_date).timestamp())
    except (TypeError, ValueError):
        return None
