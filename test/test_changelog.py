"""CHANGELOG.md in Keep a Changelog form: the version the package carries is released,
with a date, under an `[Unreleased]` section kept for what comes next."""

from __future__ import annotations

import re
from pathlib import Path

import persona

CHANGELOG = (Path(__file__).resolve().parents[1] / "CHANGELOG.md").read_text(encoding="utf-8")


def test_the_package_version_is_a_released_section_with_a_date() -> None:
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d\d-\d\d))?$", CHANGELOG, re.M)
    assert headings[0] == ("Unreleased", "")
    released = dict(headings[1:])
    assert persona.__version__ in released, headings
    assert released[persona.__version__], f"{persona.__version__} has no release date"


def test_nothing_of_the_released_version_sits_under_unreleased() -> None:
    unreleased = CHANGELOG.split("## [Unreleased]", 1)[1].split("\n## [", 1)[0]
    assert persona.__version__ not in unreleased
    assert "first release" not in unreleased.lower()
