"""The flat public API: every advertised name resolves, and import stays light."""

import subprocess
import sys

import humanalign


def test_every_public_name_resolves():
    for name in humanalign.__all__:
        assert getattr(humanalign, name) is not None, name


def test_unknown_name_raises_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        humanalign.nope  # noqa: B018


def test_import_does_not_load_torch():
    code = "import sys, humanalign; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_reading_a_profile_does_not_load_torch():
    code = "import sys; from humanalign import book, profiles; profiles.read_profile_params('demo'); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_plain_install_finds_its_profiles_and_needs_a_checkout_for_the_book(tmp_path):
    """Installed from a wheel (not editable), outside the repository: the shipped profiles
    are package resources, the stand-ins are not shipped, and the book asks for a checkout."""
    import zipfile
    from pathlib import Path

    from conftest import ROOT

    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(wheels)], check=True, capture_output=True, cwd=tmp_path)
    wheel = next(wheels.glob("humanalign-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"humanalign/resources/profiles/demo.yml", "humanalign/resources/profiles/full.yml",
            "humanalign/resources/models.csv", "humanalign/study/runs.py", "humanalign/book/build.py"} <= names
    assert not any("rehearsal" in n for n in names)
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = {**__import__("os").environ, "PYTHONPATH": str(target)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "humanalign", *args], capture_output=True, text=True,
                              cwd=away, env=env)

    where = subprocess.run([sys.executable, "-c", "import humanalign; print(humanalign.__file__)"],
                           capture_output=True, text=True, cwd=away, env=env, check=True).stdout
    assert Path(where.strip()).is_relative_to(target)  # the installed copy, not the checkout
    shown = run("profile", "demo")
    assert shown.returncode == 0 and "dataset: things-demo" in shown.stdout
    refused = run("book", "--profile", "demo")
    assert refused.returncode == 2 and "No book sources in" in refused.stderr and "--root" in refused.stderr
