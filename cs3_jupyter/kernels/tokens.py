"""Per-kernel file-access tokens: what a kernel holds instead of the user's EFSS credential.

Each kernel gets a random token at start; the server accepts it only on the kernel file
endpoint (``/cs3/api/efss/...``) and forgets it when the kernel shuts down. Only a hash
is kept, so the table itself holds nothing a kernel could replay.
"""

from __future__ import annotations

import hashlib
import secrets
import threading


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class KernelTokens:
    """token -> kernel id, for the kernels this server runs."""

    def __init__(self) -> None:
        self._by_digest: dict[str, str] = {}
        self._by_kernel: dict[str, str] = {}
        self._lock = threading.Lock()

    def issue(self, kernel_id: str) -> str:
        """A new token for ``kernel_id`` (replacing any earlier one)."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._revoke(kernel_id)
            self._by_digest[_digest(token)] = kernel_id
            self._by_kernel[kernel_id] = _digest(token)
        return token

    def revoke(self, kernel_id: str) -> None:
        with self._lock:
            self._revoke(kernel_id)

    def _revoke(self, kernel_id: str) -> None:
        digest = self._by_kernel.pop(kernel_id, None)
        if digest is not None:
            self._by_digest.pop(digest, None)

    def kernel_for(self, token: str) -> str | None:
        """The kernel a token was issued to, or None if it is unknown or revoked."""
        if not token:
            return None
        with self._lock:
            return self._by_digest.get(_digest(token))
