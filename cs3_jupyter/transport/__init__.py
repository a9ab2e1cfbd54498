"""HTTP to EFSS sites for the whole product: the layer below ``dav/`` and ``sharing/``.

One pooled session per site and user, credentials (:mod:`.auth`), retries, a total
deadline and a byte cap per call, redirects kept within the site, and every transport
failure classified once (:mod:`.errors`). No Jupyter imports; blocking (``requests``), so
callers run it in worker threads. Contracts: docs/architecture.md, "Transport".
"""

from .client import Stream, Transport
from .errors import (
    AnswerTooLarge,
    BadAnswer,
    CredentialUnusable,
    SiteTimedOut,
    SiteUnreachable,
    TransportError,
)
from .limits import Limits

__all__ = [
    "AnswerTooLarge",
    "BadAnswer",
    "CredentialUnusable",
    "Limits",
    "SiteTimedOut",
    "SiteUnreachable",
    "Stream",
    "Transport",
    "TransportError",
]
