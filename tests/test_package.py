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
