"""The one error type of the sharing layer: an HTTP status, a machine reason, a message.

Every failure a researcher can act on (unknown recipient, site not in the mesh, expired
invitation...) is raised as a :class:`SharingError` with a message written for them. The
REST handlers turn it into ``{"message", "reason"}`` with ``status``; nothing else about
the failure (URLs with credentials, server bodies, tracebacks) crosses that line.
"""

from __future__ import annotations


class SharingError(Exception):
    """A failure with a user-facing message; ``reason`` is one of the codes in openapi.yaml."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message


def bad_request(message: str) -> SharingError:
    return SharingError(400, "bad_request", message)
