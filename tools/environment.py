"""Derive environment.yml (conda) from the pinned dependencies in pyproject.toml.

    python tools/environment.py --write   # rewrite environment.yml
    python tools/environment.py --check   # exit 1 if environment.yml is out of date
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = "3.11"


def pinned_dependencies() -> list[str]:
    """The dependency pins of pyproject.toml (the test extra last), in file order."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    return list(project["dependencies"]) + list(extras.get("test", []))


def render() -> str:
    lines = [
        "# Generated from pyproject.toml by tools/environment.py; do not edit by hand.",
        "name: humanalign",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={PYTHON}",
        "  - pip",
        "  - pip:",
        *[f"      - {dep}" for dep in pinned_dependencies()],
        "      - -e .",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite environment.yml")
    parser.add_argument("--check", action="store_true", help="fail if environment.yml differs")
    args = parser.parse_args(argv)
    target = ROOT / "environment.yml"
    if args.write:
        target.write_text(render())
        return 0
    if target.read_text() != render():
        print("environment.yml is out of date: run `make env`.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
