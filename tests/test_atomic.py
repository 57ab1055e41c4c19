"""Atomic writes: the target appears only when the write succeeded."""

import pytest

from humanalign._atomic import atomic_path, write_text_atomic


def test_write_replaces_target_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    write_text_atomic(target, "one")
    write_text_atomic(target, "two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


def test_failed_write_keeps_the_old_file_and_cleans_up(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="interrupted"):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_suffix_lets_writers_that_append_extensions_work(tmp_path):
    import numpy as np

    target = tmp_path / "w.npz"
    with atomic_path(target, suffix=".tmp.npz") as tmp:
        np.savez(tmp, a=np.arange(3))
    assert np.load(target)["a"].tolist() == [0, 1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]


def test_written_files_follow_the_umask_not_private_mode(tmp_path):
    import os

    old = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "shared.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "shared.txt").stat().st_mode & 0o777 == 0o640


def test_full_disk_is_named_and_leaves_the_old_file(tmp_path, monkeypatch):
    import errno

    from humanalign.errors import DiskFullError

    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(DiskFullError, match=rf"No space left to write {target}.*HUMANALIGN_CACHE") as err:
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert isinstance(err.value, OSError) and "\n" not in str(err.value)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    # Creating the temporary file itself can fail the same way.
    monkeypatch.setattr("tempfile.mkstemp", lambda **kw: (_ for _ in ()).throw(OSError(errno.EDQUOT, "Disk quota exceeded")))
    with pytest.raises(DiskFullError, match="Disk quota exceeded"):
        write_text_atomic(tmp_path / "new.txt", "x")


def test_raise_if_disk_full_passes_other_errors_on(tmp_path):
    import errno

    from humanalign._atomic import raise_if_disk_full
    from humanalign.errors import DiskFullError

    raise_if_disk_full(OSError(errno.EACCES, "Permission denied"), tmp_path)  # not ours: returns
    raise_if_disk_full(ValueError("not an OSError"), tmp_path)
    with pytest.raises(DiskFullError, match=str(tmp_path)):
        raise_if_disk_full(OSError(errno.ENOSPC, "No space left on device"), tmp_path)
