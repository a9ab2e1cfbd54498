"""Repository-level pytest setup: the plugins every test directory may use, and a guard that
no test module silently collects nothing.

pytest only honours ``pytest_plugins`` in the top-level conftest, so it lives here; the
fixtures of the local mesh are in ``tests/conftest.py``.

A module that collects no test (a fixture or import gone wrong, a module-level skip, tests
renamed out of pytest's sight) would pass unnoticed, so the run fails instead and names it.
The check looks at what each module collected before any ``-k``/``-m`` selection, so it cannot
drift the way a hand-kept table of expected counts does; the summary reports the totals.
"""

from __future__ import annotations

from collections import Counter

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server"]

_modules: dict[str, str] = {}  # module node id -> "" (collected) or why it runs nothing
_tests: Counter[str] = Counter()  # module node id -> tests collected


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.nodeid.endswith(".py") and "::" not in report.nodeid:
        _modules[report.nodeid] = "the whole module was skipped" if report.skipped else ""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # tryfirst: before -k/-m deselect anything, so a narrowed run is judged on the same counts.
    for item in items:
        _tests[item.nodeid.split("::", 1)[0]] += 1


def pytest_collection_finish(session: pytest.Session) -> None:
    empty = {
        module: why or "it collected no test"
        for module, why in _modules.items()
        if why or not _tests[module]
    }
    if empty:
        lines = "\n".join(f"  {module}: {why}" for module, why in sorted(empty.items()))
        raise pytest.UsageError(f"Test modules that would run nothing:\n{lines}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _tests:
        return
    areas: Counter[str] = Counter()
    for module, count in _tests.items():
        parts = module.split("/")
        areas[parts[1] if len(parts) > 2 else parts[-1]] += count
    terminalreporter.write_line(
        f"collected {sum(_tests.values())} tests in {len(_tests)} modules, none empty: "
        + ", ".join(f"{area} {count}" for area, count in sorted(areas.items()))
    )
