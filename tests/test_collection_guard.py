"""The repository's guard against test modules that silently run nothing (root conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(ROOT_CONFTEST.read_text())
    pytester.makepyfile(test_full="def test_one():\n    pass\n")
    return pytester


def test_a_module_without_tests_fails_the_run(project: pytest.Pytester) -> None:
    project.makepyfile(test_empty="VALUE = 1\n")
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_empty.py: it collected no test*"])


def test_a_skipped_module_fails_the_run(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_skipped="import pytest\npytest.skip('no', allow_module_level=True)\n"
        "def test_x():\n    pass\n"
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_skipped.py: the whole module was skipped*"])


def test_a_narrowed_run_is_judged_on_what_modules_collect(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-k", "nothing_matches")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["collected 1 tests in 1 modules, none empty*"])
