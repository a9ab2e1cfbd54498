"""HTTP status lines for the sites' WSGI answers (WebDAV, OCS, OCM alike).

One place, backed by the standard library's table, so the WebDAV and the OCS/OCM parts of a
site cannot disagree on how a status is spelled.
"""

from __future__ import annotations

from http import HTTPStatus


def reason(code: int) -> str:
    """The reason phrase of ``code`` ("Not Found"), or "Error" for a code without one."""
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


def status_line(code: int) -> str:
    """What WSGI's ``start_response`` wants: ``"404 Not Found"``."""
    return f"{code} {reason(code)}"
