"""Who the user can share with, for the share dialog's search box.

Three sources, asked at once because the dialog searches as the user types: the site's
sharee search (local users and groups), the user's ScienceMesh contacts, and a typed
``user@site``. No site lets us check that a person exists at another site before a share
is sent, so a typed address is offered as ``verified: false`` ("send to this address"),
never as a known person; a contact with that address is offered instead when there is one.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import validate
from .contacts import Contacts
from .errors import SharingError
from .ids import parse_federated_id
from .mesh import Mesh, not_in_mesh
from .ocs import OCSClient, OCSError
from .refusals import ocs_failure


class RecipientSearch:
    def __init__(
        self, ocs: OCSClient, contacts: Contacts, mesh: Mesh, user: str, domain: str
    ) -> None:
        self.ocs = ocs
        self.contacts = contacts
        self.mesh = mesh
        self.user = user
        self.domain = domain

    def search(self, query: str) -> list[dict[str, Any]]:
        q = validate.search_text(query)
        with ThreadPoolExecutor(max_workers=3) as pool:
            typed_job = pool.submit(self._typed, q)
            contacts_job = pool.submit(self.contacts.listing_if_any)
            local_job = pool.submit(self._local, q)
            contacts, local = contacts_job.result(), local_job.result()
            not_in_mesh_error: SharingError | None = None
            try:
                typed = typed_job.result()
            except SharingError as err:
                if err.reason != "site_not_in_mesh":
                    raise
                # Only an error when nothing else matches: the text may be a local id with @.
                typed, not_in_mesh_error = None, err
        out: list[dict[str, Any]] = []
        for item in contacts:
            haystack = f"{item['federated_id']} {item['display_name']}".lower()
            if q.lower() in haystack:
                out.append(
                    {
                        "type": "federated",
                        "id": item["federated_id"],
                        "label": f"{item['display_name']} ({item['federated_id']})",
                        "site": item["site"],
                        "source": "contact",
                        "verified": True,
                    }
                )
        if typed is not None and all(r["id"] != typed["id"] for r in out):
            out.insert(0, typed)
        if not_in_mesh_error is not None and not out and not local:
            raise not_in_mesh_error
        return out + local

    def _typed(self, q: str) -> dict[str, Any] | None:
        """``user@site`` for a mesh site that speaks OCM now; why not, as an error, else.

        Text that is not a federated id, or names my own site, gives nothing (local search
        covers it).
        """
        if "@" not in q:
            return None
        try:
            fid = parse_federated_id(q)
        except SharingError:
            return None
        if fid.domain == self.domain:
            return None
        site = self.mesh.find(fid.site)
        if site is None:
            raise not_in_mesh(fid.site)
        if site.domain == self.domain:
            return None
        self.mesh.discovery.discover(site.url)
        address = f"{fid.user}@{site.domain}"
        return {
            "type": "federated",
            "id": address,
            "label": f"Send to {address} at {site.name} (not verified)",
            "site": site.domain,
            "source": "typed",
            "verified": False,
        }

    def _local(self, q: str) -> list[dict[str, Any]]:
        try:
            data = self.ocs.shares(
                "GET", "/sharees", params={"search": q, "itemType": "file", "perPage": "25"}
            )
        except OCSError as err:
            raise ocs_failure(err, self.domain, "search for people") from None
        data = data if isinstance(data, dict) else {}
        exact = data.get("exact")
        exact = exact if isinstance(exact, dict) else {}
        out: list[dict[str, Any]] = []
        seen: set[tuple[str, str]] = set()
        for group_key, kind in (("users", "user"), ("groups", "group")):
            for entry in [*(exact.get(group_key) or ()), *(data.get(group_key) or ())]:
                value = entry.get("value") if isinstance(entry, dict) else None
                if not isinstance(value, dict) or not value.get("shareWith"):
                    continue
                ident = str(value["shareWith"])
                if (ident == self.user and kind == "user") or (kind, ident) in seen:
                    continue
                seen.add((kind, ident))
                out.append(
                    {
                        "type": kind,
                        "id": ident,
                        "label": str(entry.get("label") or ident),
                        "site": self.domain,
                        "source": "local",
                        "verified": True,
                    }
                )
        return out
