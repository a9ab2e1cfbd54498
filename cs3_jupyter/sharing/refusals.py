"""What a refusal or failure of the user's own site means for them, as a :class:`SharingError`.

One place for the wording, so every operation names the site and the cause the same way:
a refusal the user can act on (4xx, quoting the site's reason, which for OCS is meant for
users) versus a site that failed (502, "try again later"). The site's own text is cut short
and never comes from a WebDAV body.
"""

from __future__ import annotations

from ..dav import errors as dav
from .errors import SharingError
from .ocs import OCSError

_MAX_SITE_MESSAGE = 200


def site_says(err: OCSError) -> str:
    return f" The site said: {err.message[:_MAX_SITE_MESSAGE]}" if err.message else ""


def ocs_failure(err: OCSError, domain: str, action: str) -> SharingError:
    """A refusal of the OCS API while trying to ``action`` (``"list your shares"``)."""
    if err.code in (403, 997):
        return SharingError(
            403, "forbidden", f"Your site {domain} did not let you {action}.{site_says(err)}"
        )
    if err.code in (404, 998):
        return SharingError(404, "not_found", f"Could not {action}: not found on {domain}.")
    if 400 <= err.code < 500:
        return SharingError(400, "bad_request", f"Could not {action}.{site_says(err)}")
    return SharingError(
        502, "site_error", f"Your site {domain} failed to {action}; try again later."
    )


def dav_failure(err: dav.DavError, path: str) -> SharingError:
    """A WebDAV error while looking at ``path`` in the user's own files."""
    if isinstance(err, dav.NotFound):
        return SharingError(
            404,
            "cannot_share_path",
            f"{path} does not exist in your files, so it cannot be shared.",
        )
    if isinstance(err, dav.BadPath):
        return SharingError(400, "bad_request", err.message)
    if isinstance(err, dav.AuthenticationFailed):
        return SharingError(401, "site_auth_failed", err.message)
    if isinstance(err, dav.PermissionDenied):
        return SharingError(
            403, "cannot_share_path", f"You may not read {path}, so it cannot be shared."
        )
    if isinstance(err, dav.SiteTimeout):
        return SharingError(504, "site_unreachable", err.message)
    if err.status == 400:
        # Nextcloud answers 400 for names it refuses (a tab, a newline, too long).
        return SharingError(400, "bad_request", f"Your site refused the name {path!r}.")
    if isinstance(err, dav.SiteUnavailable) and err.status is None:
        return SharingError(502, "site_unreachable", err.message)
    return SharingError(502, "site_error", err.message)
