"""Benchmarks of the contents manager against the raw-WebDAV floor and its peers.

Run ``python -m benchmarks`` (or ``make bench``); see ``benchmarks/README.md``.
"""

from pathlib import Path

#: The checkout holding this package: where child processes run ``python -m benchmarks.*``.
REPO = Path(__file__).resolve().parent.parent
