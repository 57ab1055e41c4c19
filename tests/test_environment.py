"""The pip route (pyproject.toml) and the conda route (environment.yml) pin the same things."""

import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_mirrors_pyproject_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = project["dependencies"] + project.get("optional-dependencies", {}).get("test", [])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = env["dependencies"]
    assert "python=3.11" in conda
    pip_section = next(item["pip"] for item in conda if isinstance(item, dict))
    assert sorted(d for d in pip_section if d != "-e .") == sorted(pins)
    assert all("==" in pin for pin in pins), "every dependency is pinned exactly"


def test_environment_tool_reports_drift(tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "environment.py"), "--check"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
