"""Packaging for persona. The version lives in persona/_version.py, the runtime
dependencies in requirements.txt; this file only reads them. The one optional
dependency is the ``async`` extra (aiohttp, for ``persona.AsyncApiClient``)."""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"', (HERE / "persona" / "_version.py").read_text(), re.M
).group(1)  # type: ignore[union-attr]
REQUIRES = [
    line.strip()
    for line in (HERE / "requirements.txt").read_text().splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]

setup(
    # The import name is `persona`; that distribution name on PyPI belongs to another
    # project, so persona is published as persona-account-sdk.
    name="persona-account-sdk",
    version=VERSION,
    description="Python SDK of the Persona Account API (password reset), with a reference server",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.9",
    packages=find_packages(include=["persona", "persona.*"]),
    package_data={
        "persona": ["openapi.yaml", "py.typed"],
        "persona.testing": [
            "outbox-api.yaml",
            "outbox_page.js",
            "outbox_page.css",
            "outbox_icon.svg",
        ],
    },
    include_package_data=True,
    install_requires=REQUIRES,
    extras_require={"async": ["aiohttp>=3.9"]},
    entry_points={
        "console_scripts": ["persona = persona.__main__:run"],
        "pytest11": ["persona = persona.testing.pytest_plugin"],
    },
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Typing :: Typed",
    ],
    zip_safe=False,
)
