"""Repository-level pytest setup: the plugins every test directory may use.

pytest only honours ``pytest_plugins`` in the top-level conftest, so it lives here; the
fixtures of the local mesh are in ``tests/conftest.py``.
"""

pytest_plugins = ["pytest_jupyter.jupyter_server"]
