"""jupyter_server's ``tests/services/contents/test_manager_no_hash.py``: collected, skipped.

It swaps in a stock local-disk manager without ``hash`` support to test the REST handler's
fallback for such managers; CS3ContentsManager supports ``hash`` (every model carries it,
see tests/contents/test_contract.py), so there is nothing of ours to run it against.
"""

from __future__ import annotations

from tests.services.contents.test_manager_no_hash import *  # noqa: F403

UPSTREAM_SKIPS = [
    (
        "test_manager_no_hash_support*",
        "replaces the manager with a stock local-disk one without hash support",
    ),
]
