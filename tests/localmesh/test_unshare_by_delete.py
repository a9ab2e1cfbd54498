"""Deleting a received share's mount point over WebDAV leaves the share, as on Nextcloud.

This is what happens when a researcher deletes a shared folder in JupyterLab's file browser:
the share goes away for them, and the owner's files are untouched.
"""

from __future__ import annotations

from sharing_client import SHARING, Client, cloud_id

NOTEBOOK = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def _owner(mesh, new_user, **kwargs) -> Client:
    owner = Client(mesh.site("a").url, new_user("a", **kwargs))
    owner.mkdir("proj")
    owner.put("proj/analysis.ipynb", NOTEBOOK)
    return owner


def test_deleting_a_federated_mount_unshares_at_the_sender(mesh, new_user):
    alice = _owner(mesh, new_user)
    bob_info = new_user("b")
    bob = Client(mesh.site("b").url, bob_info)
    assert alice.share("/proj", 6, cloud_id(bob_info, mesh.site("b").url)).status == 200
    assert bob.accept_remote(bob.pending_remote()[0]["id"]).status == 200
    assert bob.dav("GET", "proj/analysis.ipynb").status_code == 200

    assert bob.dav("DELETE", "proj").status_code == 204

    assert bob.dav("GET", "proj/analysis.ipynb").status_code == 404
    assert bob.ocs("GET", SHARING + "/remote_shares").data == []
    assert alice.ocs("GET", SHARING + "/shares").data == []
    assert alice.dav("GET", "proj/analysis.ipynb").content == NOTEBOOK


def test_deleting_a_user_share_mount_removes_only_that_share(mesh, new_user):
    owner = _owner(mesh, new_user)
    recipient = Client(mesh.site("a").url, new_user("a"))
    other = Client(mesh.site("a").url, new_user("a"))
    owner.share("/proj", 0, recipient.user)
    owner.share("/proj", 0, other.user)

    assert recipient.dav("DELETE", "proj").status_code == 204

    assert recipient.dav("GET", "proj/analysis.ipynb").status_code == 404
    assert other.dav("GET", "proj/analysis.ipynb").content == NOTEBOOK
    assert [s["share_with"] for s in owner.ocs("GET", SHARING + "/shares").data] == [other.user]
    assert owner.dav("GET", "proj/analysis.ipynb").content == NOTEBOOK


def test_a_group_member_cannot_delete_the_groups_share(mesh, new_user):
    group = f"g-{new_user('a').user}"
    owner = _owner(mesh, new_user)
    member = Client(mesh.site("a").url, new_user("a", groups=(group,)))
    assert owner.share("/proj", 1, group).status == 200

    refused = member.dav("DELETE", "proj")

    assert refused.status_code == 403
    assert b"group share" in refused.content
    assert member.dav("GET", "proj/analysis.ipynb").content == NOTEBOOK
