"""The coverage threshold (``fail_under`` in pyproject.toml) holds the whole suite, which
CI runs, and not a part of it: ``python -m pytest test/test_one.py`` exits 0 when its
tests pass (see ``whole_suite`` in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import TEST_DIR, whole_suite

REPO = TEST_DIR.parent


def config(*args: str, cwd: Path = REPO, **option: Any) -> Any:
    options = {"keyword": "", "markexpr": "", "deselect": None, **option}
    return SimpleNamespace(
        args=list(args),
        option=SimpleNamespace(**options),
        invocation_params=SimpleNamespace(dir=cwd),
    )


@pytest.mark.parametrize(
    ("run", "whole"),
    [
        (config("test"), True),  # `pytest` from the checkout: testpaths
        (config("test/"), True),
        (config(str(TEST_DIR), cwd=Path("/")), True),
        (config(".", cwd=TEST_DIR), True),  # `cd test && pytest`
        (config("test/test_models.py"), False),
        (config("test/test_models.py::test_repr"), False),
        (config("test", "test/test_models.py"), False),
        (config("test", keyword="models"), False),
        (config("test", markexpr="not slow"), False),
        (config("test", deselect=["test/test_models.py::test_repr"]), False),
    ],
)
def test_whole_suite_is_told_from_a_part(run: Any, whole: bool) -> None:
    assert whole_suite(run) is whole


def test_one_file_with_coverage_exits_0_when_its_tests_pass(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    env["COVERAGE_FILE"] = str(tmp_path / ".coverage")  # not this run's data file
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "test/test_changelog.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "TOTAL" in result.stdout, report  # coverage was measured and reported
    assert "fail_under threshold was not checked" in result.stdout, report
    assert "Required test coverage" not in result.stdout, report
