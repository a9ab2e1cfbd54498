"""The bounds every call to a site lives within, in one value the settings fill in.

A site can be slow, broken or hostile; none of that may cost the Jupyter server more
than these bounds: the time one call may take in total, the bytes one answer may bring,
how many calls to one site run at once, and how often a failed read is tried again.
``CS3Site`` (``cs3_jupyter.config``) exposes each as a setting; these defaults are the
settings' defaults, so code that builds a transport without settings (tests, tools)
behaves like a default deployment.
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


def size_text(limit: int) -> str:
    """A byte limit as a message shows it: ``16 MiB``, or ``60,000 bytes`` when not whole MiB."""
    return f"{limit // MiB} MiB" if limit % MiB == 0 else f"{limit:,} bytes"


@dataclass(frozen=True)
class Limits:
    #: Seconds to wait for a connection, and then for each piece of an answer.
    timeout: float = 30.0
    #: Seconds one call to the user's site may take in total, answer included (a site
    #: trickling one byte at a time must not hold a worker thread forever).
    deadline: float = 60.0
    #: The same for reads of other sites' public documents (discovery, directory).
    probe_deadline: float = 10.0
    #: File transfers (streamed downloads, uploads) may take longer than ``deadline`` as
    #: long as they average at least this many bytes per second.
    min_transfer_rate: int = 16 * 1024
    #: Extra attempts for a read that failed on the way (see ``client.RETRY_STATUSES``).
    retries: int = 2
    #: Pause before the first retry; each later pause is three times longer.
    retry_backoff: float = 0.25
    #: Calls in flight to one site at once (per site and user); more wait their turn.
    site_concurrency: int = 8
    #: Seconds the calls after the first one to a site wait for its answer (the login
    #: cookie) before the next goes alone in its place (logging in takes about 1 s on
    #: Nextcloud: a first call still unanswered after this is held up by something else).
    first_contact_patience: float = 5.0
    #: The largest PROPFIND answer accepted (10,000 Nextcloud entries are about 6 MiB).
    max_listing_bytes: int = 16 * MiB
    #: The most entries one listing may hold.
    max_listing_entries: int = 20_000
    #: The largest other API answer (OCS, invitations), and the cap for any answer that
    #: does not announce its length.
    max_answer_bytes: int = 8 * MiB
    #: The largest file read into memory at once (opening a file in the editor); larger
    #: files are only streamed (``/files/``, downloads).
    max_file_bytes: int = 256 * MiB
    #: The largest discovery or directory document read from another site.
    max_document_bytes: int = 1 * MiB
    #: The most sites taken from a directory, and capabilities or resource types taken
    #: from one discovery document.
    max_directory_sites: int = 1000
    max_capabilities: int = 64
