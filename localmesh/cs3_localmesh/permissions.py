"""Nextcloud's ``oc:permissions`` letters, derived from ownership, share bits and faults.

The WebDAV layer both *shows* these letters and *enforces* them, so what a client reads in a
listing is exactly what the server will let it do.
"""

from __future__ import annotations

from .mounts import ALL, CREATE, DELETE, SHARE, UPDATE


def ocs_bits(*, is_dir: bool, share: int | None, readonly: bool) -> int:
    """The OCS permission bits the caller has on an item (files never carry create/delete)."""
    bits = ALL if share is None else share
    if readonly:
        bits &= ~(UPDATE | CREATE | DELETE)
    if not is_dir:
        bits &= ~(CREATE | DELETE)
    return bits


def letters(
    *,
    is_dir: bool,
    share: int | None,
    mount_root: bool,
    unmountable: bool,
    public: bool,
    readonly: bool,
    readonly_below: bool,
    is_home: bool,
) -> str:
    """Letters in Nextcloud's order: S R M G D NV W|CK.

    ``share`` is None for the caller's own items, else the OCS bits of the share it came
    through. ``readonly`` marks items in a read-only folder (fault), ``readonly_below`` items
    strictly inside one (they cannot be deleted or renamed either). A received share's mount
    root can be deleted (= unshared) when the site can unmount, but not renamed here.
    """
    bits = ALL if share is None else share
    out = ""
    if share is not None and not public:
        out += "S"
    if bits & SHARE:
        out += "R"
    out += "G"
    if mount_root:
        deletable = unmountable and not public
    else:
        deletable = bool(share is None or bits & DELETE)
    if deletable and not is_home and not readonly_below:
        out += "D" if mount_root else "DNV"
    if readonly:
        return out
    if is_dir and bits & CREATE:
        out += "CK"
    if not is_dir and bits & UPDATE:
        out += "W"
    return out
