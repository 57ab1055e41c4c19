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


# Attacks of the fourth reliability round: every failure to write is one line naming the file.


def test_a_short_write_without_an_errno_is_the_disk_full_message(tmp_path, monkeypatch):
    import numpy as np

    from humanalign import cache
    from humanalign.errors import DiskFullError

    def short(handle, array, *a, **k):
        handle.write(b"\x93NUMPY")  # what numpy's tofile leaves before it gives up
        raise OSError("4096 requested and 1024 written")

    monkeypatch.setattr(np, "save", short)
    target = tmp_path / "cache" / "features" / "a.npy"
    with pytest.raises(DiskFullError) as err:
        cache.save_array(target, np.zeros((32, 32), np.float32))
    message = str(err.value)
    assert "\n" not in message and f"No space left to write {target}" in message and "cut short" in message
    assert list(target.parent.iterdir()) == []


def test_a_file_size_limit_is_named_as_such(tmp_path):
    import errno

    from humanalign.errors import FileSizeLimitError

    target = tmp_path / "big.bin"
    with pytest.raises(FileSizeLimitError) as err:
        with atomic_path(target):
            raise OSError(errno.EFBIG, "File too large")
    assert "\n" not in str(err.value) and str(target) in str(err.value) and "ulimit -f" in str(err.value)
    assert isinstance(err.value, OSError) and not target.exists()


def test_a_read_only_folder_is_named_with_what_to_do(tmp_path, monkeypatch):
    import errno

    from humanalign.errors import NotWritableError

    monkeypatch.setattr("tempfile.mkstemp", lambda **kw: (_ for _ in ()).throw(OSError(errno.EROFS, "Read-only file system")))
    target = tmp_path / "data" / "rsa92" / "images" / "01.png"
    with pytest.raises(NotWritableError) as err:
        write_text_atomic(target, "x")
    message = str(err.value)
    assert "\n" not in message and str(target) in message and "Read-only file system" in message
    assert "HUMANALIGN_DATA" in message and isinstance(err.value, OSError)


def test_a_data_folder_that_is_a_file_is_named(tmp_path):
    from humanalign.errors import NotWritableError

    blocker = tmp_path / "data"
    blocker.write_text("HUMANALIGN_DATA points here by mistake")
    with pytest.raises(NotWritableError) as err:
        write_text_atomic(blocker / "rsa92" / "images" / "01.png", "x")
    assert f"{blocker} is a file, not a folder" in str(err.value) and "\n" not in str(err.value)
    assert blocker.read_text() == "HUMANALIGN_DATA points here by mistake"


def test_an_error_of_the_block_itself_is_not_blamed_on_the_folder(tmp_path):
    import errno

    source = tmp_path / "elsewhere.txt"
    with pytest.raises(PermissionError):
        with atomic_path(tmp_path / "out.txt"):
            raise PermissionError(errno.EACCES, "Permission denied", str(source))


@pytest.mark.parametrize("text, words", [
    ("unable to write to file </torch_1_2_0>: File too large (27)", "ulimit -f"),
    ("RuntimeError: unable to write to file </torch_1_2_0>: No space left on device (28)", "/dev/shm"),
    ("OSError: 8192 requested and 0 written", "cut short"),
    ("a bug of ours", None),
])
def test_resource_hint_reads_other_libraries_texts(text, words):
    from humanalign.errors import resource_hint

    hint = resource_hint(text)
    assert (hint is None) if words is None else (words in hint)


def test_file_state_changes_when_the_file_is_rewritten_or_replaced(tmp_path):
    import os

    from humanalign._atomic import file_state

    path = tmp_path / "a.bin"
    assert file_state(path) is None  # missing: no state, no error
    path.write_bytes(b"one")
    first = file_state(path)
    assert first[0] == str(path) and file_state(path) == first
    os.utime(path, ns=(first[4] + 10**9, first[4] + 10**9))
    assert file_state(path) != first  # touched
    (tmp_path / "b.bin").write_bytes(b"one")
    os.replace(tmp_path / "b.bin", path)
    assert file_state(path)[2] != first[2]  # another inode behind the same name
