"""Settings from the environment: defaults, mirrors, URL map, offline flag, device."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest

from humanalign.config import Settings, check_device, settings

VARIABLES = ("HUMANALIGN_DATA", "HUMANALIGN_CACHE", "HUMANALIGN_MIRRORS", "HUMANALIGN_DEVICE",
             "HUMANALIGN_URL_MAP", "HUMANALIGN_OFFLINE")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return monkeypatch


def test_defaults_work_on_a_fresh_machine(clean_env, tmp_path):
    cfg = settings()
    assert cfg.data_dir == tmp_path / "xdg" / "humanalign" / "data"
    assert cfg.cache_dir == tmp_path / "xdg" / "humanalign" / "cache"
    assert cfg.mirrors == () and cfg.url_map == () and cfg.offline is False and cfg.device == "auto"


def test_home_cache_without_xdg(clean_env):
    clean_env.delenv("XDG_CACHE_HOME")
    assert settings().data_dir == Path.home() / ".cache" / "humanalign" / "data"


def test_folders_and_mirrors_from_environment(clean_env, tmp_path):
    clean_env.setenv("HUMANALIGN_DATA", str(tmp_path / "d"))
    clean_env.setenv("HUMANALIGN_CACHE", str(tmp_path / "c"))
    clean_env.setenv("HUMANALIGN_MIRRORS", os.pathsep.join([str(tmp_path / "m1"), "", str(tmp_path / "m2")]))
    cfg = Settings.from_env()
    assert cfg.data_dir == tmp_path / "d" and cfg.cache_dir == tmp_path / "c"
    assert cfg.mirrors == (tmp_path / "m1", tmp_path / "m2")


def test_user_home_is_expanded(clean_env):
    clean_env.setenv("HUMANALIGN_DATA", "~/somewhere")
    assert settings().data_dir == Path.home() / "somewhere"


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("YES", True), ("on", True),
                                             ("0", False), ("", False), ("no", False), ("off", False)])
def test_offline_flag(clean_env, value, expected):
    clean_env.setenv("HUMANALIGN_OFFLINE", value)
    assert settings().offline is expected


def test_url_map_longest_prefix_wins(clean_env):
    clean_env.setenv(
        "HUMANALIGN_URL_MAP",
        "https://osf.io=http://127.0.0.1:9/osf ; https://osf.io/n9u4a=http://127.0.0.1:9/triplets;",
    )
    cfg = settings()
    assert cfg.map_url("https://osf.io/n9u4a/download") == "http://127.0.0.1:9/triplets/download"
    assert cfg.map_url("https://osf.io/wb36u/download") == "http://127.0.0.1:9/osf/wb36u/download"
    assert cfg.map_url("https://example.org/x") == "https://example.org/x"


def test_url_map_entry_without_equals_is_rejected(clean_env):
    clean_env.setenv("HUMANALIGN_URL_MAP", "https://osf.io")
    with pytest.raises(ValueError, match="HUMANALIGN_URL_MAP.*'='"):
        settings()


@pytest.mark.parametrize("value", ["maybe", "2", "offline", "y e s"])
def test_offline_flag_that_is_not_understood_is_refused(clean_env, value):
    # "maybe" used to mean online, and a download happened.
    clean_env.setenv("HUMANALIGN_OFFLINE", value)
    with pytest.raises(ValueError, match=rf"HUMANALIGN_OFFLINE='{value}'.*1/true/yes/on"):
        settings()


def _fake_torch(clean_env, count):
    cuda = types.SimpleNamespace(is_available=lambda: count > 0, device_count=lambda: count)
    clean_env.setitem(sys.modules, "torch", types.SimpleNamespace(cuda=cuda, backends=types.SimpleNamespace()))


def test_explicit_device_is_kept(clean_env):
    _fake_torch(clean_env, 2)
    clean_env.setenv("HUMANALIGN_DEVICE", "cuda:1")
    assert settings().resolve_device() == "cuda:1"


@pytest.mark.parametrize("value", ["tpu", "banana", "cuda:", "CUDA:0 x"])
def test_device_that_is_not_a_device_is_refused(clean_env, value):
    clean_env.setenv("HUMANALIGN_DEVICE", value)
    with pytest.raises(ValueError, match="HUMANALIGN_DEVICE.*not a device.*cuda:N"):
        settings()


@pytest.mark.parametrize("count, value", [(1, "cuda:7"), (0, "cuda"), (0, "mps")])
def test_device_this_machine_lacks_is_refused(clean_env, count, value):
    _fake_torch(clean_env, count)
    clean_env.setenv("HUMANALIGN_DEVICE", value)
    with pytest.raises(ValueError, match=f"HUMANALIGN_DEVICE '{value}' is not available"):
        settings().resolve_device()
    assert check_device("cpu") == "cpu"


@pytest.mark.parametrize("available, expected", [(True, "cuda"), (False, "cpu")])
def test_auto_device_follows_cuda(clean_env, available, expected):
    # A stand-in torch module keeps the test quick and independent of the machine's GPU.
    fake = types.SimpleNamespace(cuda=types.SimpleNamespace(is_available=lambda: available))
    clean_env.setitem(sys.modules, "torch", fake)
    assert settings().resolve_device() == expected


def test_settings_are_a_snapshot(clean_env, tmp_path):
    clean_env.setenv("HUMANALIGN_DATA", str(tmp_path / "a"))
    before = settings()
    clean_env.setenv("HUMANALIGN_DATA", str(tmp_path / "b"))
    assert before.data_dir == tmp_path / "a" and settings().data_dir == tmp_path / "b"
    with pytest.raises(AttributeError):
        before.data_dir = tmp_path  # frozen
