"""Kernels that run against the EFSS: a synced working copy per kernel, and file access for
kernels through the server (the EFSS credential never reaches a kernel).

``sync/`` is the sync engine (WebDAV and local disk only, no Jupyter); ``manager.py`` and
``connection.py`` hook it into jupyter_server's kernel lifecycle and message flow;
``tokens.py`` holds the per-kernel file-access tokens. Design and reasons: docs/kernels.md.
"""
