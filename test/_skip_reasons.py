"""A pytest plugin of persona's own suite: a skipped test must say why.

A skip with no reason (or skipif's default, its condition) fails the test, so that every
SKIPPED line of the summary tells a contributor what is missing (a browser, a framework,
the seed page) instead of leaving them to read the test. Loaded by conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

#: Skip reasons that say nothing: pytest's defaults for a skip given no reason.
_SILENT_SKIPS = ("", "unconditional skip")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A skipped test must say why: a skip with no reason (or skipif's default, its
    condition) fails the test, so that the summary's SKIPPED lines are all readable."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2]).removeprefix("Skipped").removeprefix(":").strip()
        if reason in _SILENT_SKIPS or reason.startswith("condition:"):
            report.outcome = "failed"
            report.longrepr = f"{item.nodeid} was skipped without a reason: give one"
