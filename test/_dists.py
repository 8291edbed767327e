"""persona's sdist and wheel, built once per test session from a clean copy of the
repository (what ``git ls-files`` lists, committed or not, so uncommitted edits are
tested but build debris is not). Used by test_packaging.py and by the tests that install
the wheel into a user's project (test_pytest_plugin.py), with the empty virtual
environments they install it into (``make_venv``, ``pip_into``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Dists:
    """The built artifacts."""

    sdist: Path
    wheel: Path


def clean_copy(target: Path) -> Path:
    """Copy the repository's tracked and untracked-but-not-ignored files to ``target``."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = REPO / name.decode()
        if source.is_file():  # a file deleted but not yet committed is skipped
            destination = target / name.decode()
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    return target


def can_build() -> bool:
    """Whether this is a git checkout, which the clean copy needs."""
    return shutil.which("git") is not None and (REPO / ".git").exists()


def build(src: Path, out: Path) -> Dists:
    """Build the sdist, then the wheel from the sdist (as pip would), into ``out``."""
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Dists(sdist=sdist, wheel=wheel)


def make_venv(path: Path) -> None:
    """An empty virtual environment at ``path``: no pip of its own (installing one costs
    seconds); :func:`pip_into` installs into it with this interpreter's pip."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120
    )


def pip_into(python: str) -> list[str]:
    """The command of this interpreter's pip, installing into ``python``'s environment."""
    return [sys.executable, "-m", "pip", "--python", python]
