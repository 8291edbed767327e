"""The sdist and the wheel, built once per session from a clean copy of the repository
(the ``dists`` fixture of conftest.py): their contents, their metadata, their declared
dependencies, and an install into an empty virtual environment."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from _dists import Dists, make_venv, pip_into

import persona

REPO = Path(__file__).resolve().parents[1]
RUNTIME = {"urllib3", "certifi", "python-dateutil"}

pytestmark = pytest.mark.slow


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


@pytest.fixture
def wheel(dists: Dists) -> Path:
    return dists.wheel


DIST_INFO = f"persona_account_sdk-{persona.__version__}.dist-info"


def test_wheel_is_named_for_the_version(wheel: Path) -> None:
    assert wheel.name == f"persona_account_sdk-{persona.__version__}-py3-none-any.whl"


def test_wheel_contains_the_contract_and_the_typing_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "persona/openapi.yaml" in names
    assert "persona/py.typed" in names
    assert "persona/core/model.py" in names
    assert "persona/testing/server.py" in names
    for served in ("outbox-api.yaml", "outbox_page.js", "outbox_page.css", "outbox_icon.svg"):
        assert f"persona/testing/{served}" in names  # the outbox page's files
    assert not [n for n in names if n.startswith(("test/", "tests/", "bench/", "docs/"))]


def test_both_artifacts_carry_the_license(dists: Dists) -> None:
    license_text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in license_text
    with zipfile.ZipFile(dists.wheel) as archive:
        wheel_license = archive.read(f"{DIST_INFO}/licenses/LICENSE")
        metadata = archive.read(f"{DIST_INFO}/METADATA").decode()
    assert wheel_license.decode("utf-8") == license_text
    assert "License-File: LICENSE" in metadata
    with tarfile.open(dists.sdist) as archive:
        member = archive.extractfile(f"persona_account_sdk-{persona.__version__}/LICENSE")
        assert member is not None
        assert member.read().decode("utf-8") == license_text


def test_metadata_passes_twine_check(dists: Dists) -> None:
    # twine check --strict: the metadata PyPI would accept, and a README that renders.
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(dists.sdist), str(dists.wheel)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count("PASSED") == 2, check.stdout


def test_wheel_requires_exactly_the_three_runtime_dependencies(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"{DIST_INFO}/METADATA").decode()
    declared = [
        line.split(":", 1)[1] for line in metadata.splitlines() if line.startswith("Requires-Dist:")
    ]
    requires = [r for r in declared if "extra ==" not in r]
    assert {_name(r) for r in requires} == RUNTIME
    assert len(requires) == 3
    extras = [r for r in declared if "extra ==" in r]
    assert [_name(r) for r in extras] == ["aiohttp"]  # only with the `async` extra
    assert "Provides-Extra: async" in metadata
    assert any(r.strip().startswith("urllib3") and "<3" in r for r in requires)
    assert "Requires-Python: >=3.9" in metadata


_INVENTORY = """
import json, importlib.metadata as md
print(json.dumps({d.metadata["Name"].lower().replace("_", "-"): d.requires or []
                  for d in md.distributions()}))
"""


def test_wheel_installs_into_an_empty_venv_with_only_its_dependencies(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    make_venv(venv)
    python = str(venv / "bin" / "python")

    def inventory() -> dict[str, list[str]]:
        result = subprocess.run(
            [python, "-c", _INVENTORY], capture_output=True, text=True, check=True, timeout=60
        )
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    before = inventory()
    install = subprocess.run(
        [*pip_into(python), "install", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    after = inventory()
    added = set(after) - set(before)

    # Allowed: persona, its three dependencies, and what those (unconditionally) need.
    allowed = {"persona-account-sdk"} | RUNTIME
    for dist in RUNTIME:
        allowed |= {_name(r) for r in after.get(dist, []) if "extra ==" not in r}
    assert added >= RUNTIME
    assert added <= allowed, added - allowed

    check = subprocess.run(
        [
            python,
            "-c",
            "import persona; persona.AccountApi; "
            "from persona.rest import ApiException; print(persona.__version__)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repository: the installed copy is imported
        timeout=60,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == persona.__version__
    located = subprocess.run(
        [
            python,
            "-c",
            "import persona, pathlib; p = pathlib.Path(persona.__file__).parent; "
            "print((p / 'openapi.yaml').is_file(), (p / 'py.typed').is_file(), p)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=True,
    ).stdout.split()
    assert located[:2] == ["True", "True"]
    assert str(venv) in located[2]


def _first_python_block(page: Path) -> str:
    match = re.search(r"```python\n(.+?)\n```", page.read_text(encoding="utf-8"), re.S)
    assert match, f"{page} has no python block"
    return match.group(1)


def test_wheel_with_the_async_extra_runs_the_first_async_example(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    make_venv(venv)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [*pip_into(python), "install", "--quiet", f"{wheel}[async]"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    from persona.testing import ReferenceServer

    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as server:
        run = subprocess.run(
            [python, "-c", _first_python_block(REPO / "docs" / "Async.md")],
            capture_output=True,
            text=True,
            cwd=tmp_path,  # not the repository: the installed copy is imported
            env={"PERSONA_HOST": server.url, "PATH": "/usr/bin:/bin"},
            timeout=60,
            check=False,
        )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("True "), run.stdout
