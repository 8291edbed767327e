"""Every skipped test of this suite says why (test/_skip_reasons.py), checked on a project
with skips of every kind."""

from __future__ import annotations

import pytest


def test_a_skip_without_a_reason_fails_and_one_with_a_reason_skips(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_skips="""
        import pytest

        @pytest.mark.skip
        def test_marker_without_reason():
            pass

        @pytest.mark.skipif(True, reason="")
        def test_skipif_with_an_empty_reason():
            pass

        def test_call_without_reason():
            pytest.skip()

        @pytest.mark.skipif(True, reason="needs a browser: apt-get install chromium")
        def test_with_a_reason():
            pass

        def test_call_with_a_reason():
            pytest.skip("needs pytest-xdist")
        """
    )
    result = pytester.runpytest_inprocess("-p", "_skip_reasons", "-p", "no:asyncio", "-rA")
    outcomes = result.parseoutcomes()
    assert outcomes.get("skipped") == 2
    assert outcomes.get("failed", 0) + outcomes.get("errors", 0) == 3
    result.stdout.fnmatch_lines(["*was skipped without a reason: give one*"])
