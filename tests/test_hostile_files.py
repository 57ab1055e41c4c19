"""Attacks with hostile files: each test plants a malformed input the way a careless or hostile
user would, and asserts either the right result anyway or a clear refusal: one line that names
the file, row or value, says what is wrong and what to do.

One test per attack (parametrised over its variants):

1. a file added to a verified unpacked folder;          6. truncated, non-MAT and text ``.mat`` files;
2. 16-bit (and 32-bit) images;                           7. non-ASCII digits in image file names;
3. complex or negative dissimilarities;                  8. decompression bombs;
4. a non-positive parameter count in an extra model row; 9. a corrupt copy in the read-only mirror;
5. malformed extra-model tables;                         10. a full disk while writing.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy.io import savemat

from humanalign import features, registry
from humanalign._atomic import write_text_atomic
from humanalign.config import Settings, settings
from humanalign.datasets import Stimuli
from humanalign.datasets.arrangements import load_cichy118, load_king, read_mat
from humanalign.datasets.peterson import N_PETERSON, load_peterson
from humanalign.datasets.rsa92 import N_RSA92, read_rsa92_rdms
from humanalign.datasets.types import list_images, open_image
from humanalign.errors import DataError, DataNotFoundError, DiskFullError
from humanalign.fetch import Resource, fetch

import rehearsal


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def one_line(err: pytest.ExceptionInfo) -> str:
    """The message of a refusal, checked to be a single line."""
    message = str(err.value)
    assert "\n" not in message, f"not one line: {message!r}"
    return message


def png_bytes(value: int, size: int = 4) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (value, value, value)).save(buffer, "PNG")
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_by_hand(width: int, height: int, depth: int, colour: int, rows: bytes) -> bytes:
    """A PNG written byte by byte: Pillow cannot write 16-bit RGB nor lie about its size."""
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(rows))
            + png_chunk(b"IEND", b""))


def tiff_rgb16(rgb: np.ndarray) -> bytes:
    """An uncompressed little-endian 16-bit RGB TIFF (Pillow cannot write one)."""
    height, width = rgb.shape[:2]
    pixels = rgb.astype("<u2").tobytes()
    n_tags, first_ifd = 10, 8
    bits_at = first_ifd + 2 + n_tags * 12 + 4
    data_at = bits_at + 6

    def tag(code: int, kind: int, value: int, count: int = 1) -> bytes:
        if kind == 4:
            return struct.pack("<HHII", code, kind, count, value)
        return struct.pack("<HHIHH", code, kind, count, value, 0) if count == 1 else struct.pack("<HHII", code, kind, count, value)

    tags = [tag(256, 4, width), tag(257, 4, height), tag(258, 3, bits_at, 3), tag(259, 3, 1), tag(262, 3, 2),
            tag(273, 4, data_at), tag(277, 3, 3), tag(278, 4, height), tag(279, 4, len(pixels)), tag(284, 3, 1)]
    return (b"II*\x00" + struct.pack("<I", first_ifd) + struct.pack("<H", n_tags) + b"".join(tags)
            + b"\x00\x00\x00\x00" + struct.pack("<HHH", 16, 16, 16) + pixels)


# --- 1. a file added to a verified unpacked folder -----------------------------------------


def _unpacked_images(tmp_path: Path) -> tuple[Settings, Resource, Path]:
    """Three images in a zip in a mirror, fetched (unpacked with a marker) into the data folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(3):
            zf.writestr(f"imgs/{i}.png", png_bytes(10 * i))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "pack.zip").write_bytes(buffer.getvalue())
    cfg = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", mirrors=(mirror,), offline=True)
    resource = Resource("pack", url=None, sha256=sha(buffer.getvalue()), archive="zip")
    return cfg, resource, fetch(resource, cfg)


def _plant(dest: Path, kind: str, tmp_path: Path) -> Path:
    images = dest / "imgs"
    if kind == "image":
        target = images / "1a.png"
        target.write_bytes(png_bytes(250))
    elif kind == "hidden":
        target = images / ".1a.png"
        target.write_bytes(png_bytes(250))
    elif kind == "nested":
        (images / "more").mkdir()
        target = images / "more" / "x.mat"
        target.write_bytes(b"planted")
    elif kind == "link":
        outside = tmp_path / "outside.png"
        outside.write_bytes(png_bytes(250))
        target = images / "1a.png"
        target.symlink_to(outside)
    else:  # what a file browser leaves behind: tolerated
        target = images / ".DS_Store"
        target.write_bytes(b"\x00\x00\x00\x01Bud1")
    return target


@pytest.mark.parametrize("kind", ["image", "hidden", "nested", "link", "os-litter"])
def test_file_added_to_verified_folder_is_never_used(tmp_path, capsys, kind):
    cfg, resource, dest = _unpacked_images(tmp_path)
    originals = [dest / "imgs" / f"{i}.png" for i in range(3)]
    planted = _plant(dest, kind, tmp_path)
    # Listing the images in place (without fetching again) refuses an added image.
    if kind in {"image", "link"}:
        with pytest.raises(DataError) as err:
            list_images(dest / "imgs")
        assert str(planted) in one_line(err) and "Remove it" in str(err.value)
    else:
        assert list_images(dest / "imgs") == originals
    capsys.readouterr()
    # Fetching again unpacks the archive afresh, with a notice naming the file ...
    assert fetch(resource, cfg) == dest
    notice = capsys.readouterr().err
    if kind == "os-litter":
        assert notice == "" and planted.exists()
    else:
        assert str(planted) in notice and "added after unpacking" in notice
        assert not planted.exists() and not planted.is_symlink()
    assert list_images(dest / "imgs") == originals
    # ... and without the archive the folder is refused, saying how to fix it.
    (tmp_path / "mirror" / "pack.zip").unlink()
    planted = _plant(dest, kind, tmp_path) if not planted.exists() else planted
    if kind == "os-litter":
        assert fetch(resource, cfg) == dest
        return
    with pytest.raises(DataNotFoundError) as err:
        fetch(resource, cfg)
    assert str(planted) in str(err.value) and "remove them" in str(err.value)


# --- 2. 16-bit and 32-bit images -------------------------------------------------------------


GRADIENT = np.linspace(0, 65535, 256).astype(np.uint16)[None, :].repeat(4, axis=0)  # (4, 256)


def _write_wide_image(path: Path, kind: str) -> None:
    if kind in {"png-grey16", "tiff-grey16"}:
        Image.fromarray(GRADIENT).save(path)  # Pillow opens these as mode I;16
    elif kind == "png-rgb16":
        rgb = np.stack([GRADIENT, GRADIENT[:, ::-1], GRADIENT], axis=-1)
        rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in rgb)
        path.write_bytes(png_by_hand(256, 4, 16, 2, rows))
    elif kind == "tiff-rgb16":
        path.write_bytes(tiff_rgb16(np.stack([GRADIENT, GRADIENT[:, ::-1], GRADIENT], axis=-1)))
    elif kind == "tiff-float32":
        Image.fromarray(GRADIENT.astype(np.float32) / 65535).save(path)
    else:  # tiff-int32
        Image.fromarray(GRADIENT.astype(np.int32)).save(path)


@pytest.mark.parametrize("kind", ["png-grey16", "tiff-grey16", "png-rgb16", "tiff-rgb16", "tiff-float32", "tiff-int32"])
def test_wide_images_keep_their_contrast_or_are_refused(tmp_path, kind):
    path = tmp_path / ("gradient.png" if kind.startswith("png") else "gradient.tif")
    _write_wide_image(path, kind)
    if kind.endswith("32"):
        with pytest.raises(DataError) as err:
            open_image(path)
        assert str(path) in one_line(err) and "32-bit" in str(err.value)
        return
    # The same pixels reach the model: feature extraction decodes through open_image.
    for image in (open_image(path), features.ImageDataset([path], np.asarray)[0][1]):
        pixels = np.asarray(image)
        assert pixels.dtype == np.uint8 and pixels.shape == (4, 256, 3)
        # 0..65535 in 256 equal steps is 0..255 in steps of one: full contrast, nothing clipped.
        np.testing.assert_array_equal(pixels[0, :, 0], np.arange(256))
        if kind.endswith("rgb16"):
            np.testing.assert_array_equal(pixels[0, :, 1], np.arange(256)[::-1])


# --- 3. complex or negative dissimilarities --------------------------------------------------


def _symmetric(rng, n: int) -> np.ndarray:
    a = rng.random((n, n))
    a = a + a.T
    np.fill_diagonal(a, 0)
    return a


def _image_folder(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"{i}.png").write_bytes(png_bytes(i % 256, 2))


def _place(reader: str, matrix, root: Path) -> tuple[Path, str]:
    """Write ``matrix`` (or a function of n giving it) where ``reader`` looks; returns the file and variable."""
    if reader == "cichy":
        _image_folder(root / "cichy118" / "images", 118)
        path = root / "cichy118" / "sim_judgements" / "judgments_general.mat"
        path.parent.mkdir(parents=True)
        savemat(path, {"judgments": matrix(118)})
        return path, "judgments"
    if reader == "king":
        _image_folder(root / "king" / "images" / "set1", 6)
        path = root / "king" / "sim_judgements" / "BEHAVIOR.mat"
        path.parent.mkdir(parents=True)
        savemat(path, {"BEHAVIOR": {"set1": {"pairwisedistances": matrix(6)}, "set2": {"pairwisedistances": matrix(6)}}})
        return path, "pairwisedistances"
    if reader == "peterson":
        _image_folder(root / "peterson" / "animals" / "images", N_PETERSON)
        path = root / "peterson" / "animals" / "animals_simmat.mat"
        savemat(path, {"simmat": matrix(N_PETERSON)})
        return path, "simmat"
    root.mkdir(parents=True, exist_ok=True)
    path = root / "92_behavRDMs.mat"
    struct_array = np.zeros((1, 2), dtype=[("RDM", object), ("name", object)])
    for k in range(2):
        struct_array[0, k] = (matrix(N_RSA92), f"person {k + 1}")
    savemat(path, {"rdms_behav_92": struct_array})
    return path, "RDM"


def _read(reader: str, path: Path):
    if reader == "cichy":
        return load_cichy118()[1].matrix
    if reader == "king":
        return load_king("set1")[1].matrix
    if reader == "peterson":
        return load_peterson("animals")[1].matrix
    return read_rsa92_rdms(path)[0][0]


READERS = ["cichy", "king", "peterson", "rsa92"]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("fault", ["complex", "negative", "real-complex"])
def test_complex_or_negative_dissimilarities_are_refused(rng, reader, fault):
    base = {n: _symmetric(rng, n) for n in (6, 92, 118, 120)}
    if fault == "complex":
        def matrix(n):
            return base[n] + 1j * base[n]
    elif fault == "negative":
        def matrix(n):
            out = base[n].copy()
            out[1, 2] = out[2, 1] = -0.25
            return out
    else:  # complex storage with zero imaginary parts: the real values, read correctly
        def matrix(n):
            return base[n] + 0j
    path, variable = _place(reader, matrix, settings().data_dir)
    if fault == "real-complex":
        n = {"cichy": 118, "king": 6, "peterson": N_PETERSON, "rsa92": N_RSA92}[reader]
        np.testing.assert_allclose(_read(reader, path), base[n])
        return
    with pytest.raises(DataError) as err:
        _read(reader, path)
    message = one_line(err)
    assert path.name in message and variable in message
    assert ("complex" if fault == "complex" else "negative") in message


# --- 4. a non-positive parameter count in an extra model row ------------------------------


def _extra_table(tmp_path: Path, monkeypatch, text_of=None) -> Path:
    """The rehearsal's extra model table, optionally rewritten (to text or bytes), named in HUMANALIGN_EXTRA_MODELS."""
    path = rehearsal.write_model_table(tmp_path / "my_models.csv")
    if text_of is not None:
        text = text_of(path.read_text(encoding="utf-8"))
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    monkeypatch.setenv(registry.EXTRA_MODELS_ENV, str(path))
    return path


def _set_field(text: str, column: str, value: str, line: int = 1) -> str:
    import csv

    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows[line][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("value", ["-5", "0", "-2.5e8"])
def test_non_positive_parameter_count_is_refused(tmp_path, monkeypatch, value):
    path = _extra_table(tmp_path, monkeypatch, lambda text: _set_field(text, "params", value))
    model_id = rehearsal.REHEARSAL_MODELS[0]
    with pytest.raises(ValueError) as err:
        registry.list_models()
    message = one_line(err)
    assert str(path) in message and "line 2" in message and model_id in message
    assert f"params {value!r}" in message and "models.csv row" not in message


# --- 5. malformed extra-model tables ----------------------------------------------------------


def _bom(text):
    return "\ufeff" + text


def _note(note):
    return lambda text: _set_field(text, "note", note)


def _short_row(text):
    lines = text.split("\n")
    lines[1] = ",".join(lines[1].split(",")[:8])
    return "\n".join(lines)


def _extra_field(text):
    lines = text.split("\n")
    lines[1] += ",surplus"
    return "\n".join(lines)


MALFORMED = {
    # name: (rewrite, None when the table must load correctly, else words the refusal must hold)
    "byte-order-mark": (_bom, None),
    "newline-in-quoted-note": (_note("first line\nsecond line"), None),
    "crlf-in-quoted-note": (_note("first line\r\nsecond line"), None),
    "unicode-line-separator-in-note": (_note("first line\u2028second line"), None),
    "short-row": (_short_row, ["line 2", "8 fields where the header has", "no value for"]),
    "extra-field": (_extra_field, ["line 2", "extra values ['surplus']"]),
    "huge-params": (lambda t: _set_field(t, "params", "1e400"), ["line 2", "params '1e400'"]),
    "nan-params": (lambda t: _set_field(t, "params", "nan"), ["line 2", "params 'nan'"]),
    "fractional-params": (lambda t: _set_field(t, "params", "12.5"), ["line 2", "params '12.5'"]),
    "nan-top1": (lambda t: _set_field(t, "imagenet_top1", "nan"), ["line 2", "imagenet_top1 nan"]),
    "text-top1": (lambda t: _set_field(t, "imagenet_top1", "76%"), ["line 2", "imagenet_top1 '76%'"]),
    "huge-input-size": (lambda t: _set_field(t, "input_size", "99999999999"), ["line 2", "input_size '99999999999'"]),
    "nan-dims": (lambda t: _set_field(t, "penultimate_dim", "nan"), ["line 2", "penultimate_dim 'nan'"]),
    "bad-id-on-line-3": (lambda t: _set_field(t, "id", "not an id", line=2), ["line 3", "'not an id'"]),
    "latin-1-bytes": (lambda t: _set_field(t, "note", "r\u00e9sum\u00e9").encode("latin-1"), ["is not UTF-8", "offset"]),
}


@pytest.mark.parametrize("attack", list(MALFORMED))
def test_malformed_extra_model_table_loads_or_is_refused_in_one_line(tmp_path, monkeypatch, attack):
    rewrite, expected = MALFORMED[attack]
    path = _extra_table(tmp_path, monkeypatch, rewrite)
    if expected is None:
        spec = registry.get_spec(rehearsal.REHEARSAL_MODELS[0])
        assert spec.params > 0 and spec.family.endswith("(rehearsal)")
        if attack != "byte-order-mark":
            assert spec.note == {"newline-in-quoted-note": "first line\nsecond line",
                                 "crlf-in-quoted-note": "first line\r\nsecond line",
                                 "unicode-line-separator-in-note": "first line\u2028second line"}[attack]
        return
    with pytest.raises(ValueError) as err:
        registry.list_models()
    message = one_line(err)
    assert str(path) in message and "models.csv row" not in message
    for words in expected:
        assert words in message


# --- 6. truncated, non-MAT and text .mat files ----------------------------------------------


def _damage(path: Path, damage: str) -> None:
    blob = path.read_bytes()
    if damage == "truncated-header":
        path.write_bytes(blob[:21])  # scipy fails here with a bare IndexError
    elif damage == "truncated-half":
        path.write_bytes(blob[: len(blob) // 2])
    elif damage == "not-mat":
        path.write_bytes(b"MATLAB? no: a spreadsheet saved under the wrong name\n" * 20)
    elif damage == "empty":
        path.write_bytes(b"")


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("damage", ["truncated-header", "truncated-half", "not-mat", "empty", "text"])
def test_damaged_or_text_mat_file_is_refused_naming_it(rng, reader, damage):
    base = {n: _symmetric(rng, n) for n in (6, 92, 118, 120)}
    if damage == "text":
        # MATLAB char arrays of digits: numpy would read '0' and '1' as numbers.
        def matrix(n):
            digits = (base[n] > 1).astype(int)
            np.fill_diagonal(digits, 0)
            return np.array([["".join(map(str, row))] for row in digits])
    else:
        def matrix(n):
            return base[n]
    path, _variable = _place(reader, matrix, settings().data_dir)
    _damage(path, damage)
    with pytest.raises(DataError) as err:
        _read(reader, path)
    message = one_line(err)
    assert path.name in message
    assert ("text" if damage == "text" else "MATLAB .mat file") in message
    if damage != "text":
        with pytest.raises(DataError) as err:
            read_mat(path)
        assert str(path) in one_line(err)


def test_flipped_bytes_in_a_compressed_mat_file_are_named(tmp_path, rng):
    path = tmp_path / "judgments.mat"
    savemat(path, {"judgments": _symmetric(rng, 30)}, do_compression=True)
    blob = bytearray(path.read_bytes())
    for offset in range(200, 240):
        blob[offset] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(DataError) as err:
        read_mat(path)
    assert str(path) in one_line(err)


# --- 7. non-ASCII digits in image file names ---------------------------------------------------


NAMES = ["img10.png", "img\u0662.png", "img\uff12.png", "img1.png", "img2.png", "img\u2460.png",
         "a1\u00b22.png", "img\u0661\u0660\u0660.png"]
# Numbers compare by value in any script's decimal digits; superscripts and circled digits
# are text; equal keys fall back to the exact name (code point order).
EXPECTED = ["a1\u00b22.png", "img1.png", "img2.png", "img\u0662.png", "img\uff12.png", "img10.png",
            "img\u0661\u0660\u0660.png", "img\u2460.png"]


@pytest.mark.parametrize("order", ["as-listed", "reversed"])
def test_non_ascii_digits_in_file_names_sort_by_value(tmp_path, order):
    folder = tmp_path / "images"
    folder.mkdir()
    for name in (NAMES if order == "as-listed" else NAMES[::-1]):
        (folder / name).write_bytes(png_bytes(1, 2))
    assert [p.name for p in list_images(folder)] == EXPECTED


# --- 8. decompression bombs ----------------------------------------------------------------------


@pytest.mark.parametrize("side", [10_000, 100_000])  # past Pillow's warning, and past its hard limit
def test_decompression_bomb_is_refused_naming_the_file(tmp_path, side):
    path = tmp_path / "bomb.png"
    # A grey image that declares side x side pixels but holds one row: tiny on disk.
    path.write_bytes(png_by_hand(side, side, 8, 0, b"\x00" * (side + 1)))
    for read in (open_image, lambda p: features.ImageDataset([p], np.asarray)[0]):
        with pytest.raises(DataError) as err:
            read(path)
        assert str(path) in one_line(err) and "decompression bomb" in str(err.value)


# --- 9. a corrupt copy in the read-only mirror ---------------------------------------------------


@pytest.mark.parametrize("good_copy", ["data-folder", "download"])
@pytest.mark.parametrize("layout", ["file", "archive"])
def test_corrupt_mirror_copy_falls_back_to_a_good_one(tmp_path, capsys, good_copy, layout):
    if layout == "file":
        good, name, resource_path = b"the published bytes\n", "f.txt", "f.txt"
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("a.txt", "A")
        good, name, resource_path = buffer.getvalue(), "pack.zip", "pack"
    mirror, data, server = tmp_path / "mirror", tmp_path / "data", tmp_path / "server"
    for folder in (mirror, data, server):
        folder.mkdir()
    (mirror / name).write_bytes(good[:-3] + b"BAD")
    ((server if good_copy == "download" else data) / name).write_bytes(good)
    cfg = Settings(data_dir=data, cache_dir=tmp_path / "cache", mirrors=(mirror,), offline=good_copy != "download")
    resource = Resource(resource_path, url=(server / name).as_uri(), sha256=sha(good), archive="zip" if layout == "archive" else None)
    got = fetch(resource, cfg)
    notice = capsys.readouterr().err
    assert got.is_relative_to(data)
    assert (got / "a.txt").read_text() == "A" if layout == "archive" else got.read_bytes() == good
    lines = [line for line in notice.splitlines() if "mirror" in line]
    assert len(lines) == 1 and str(mirror / name) in lines[0] and "corrupt" in lines[0]
    # Nothing else to fall back on: refused, with the corrupt mirror copy named.
    shutil.rmtree(data)
    offline = Settings(data_dir=data, cache_dir=tmp_path / "cache", mirrors=(mirror,), offline=True)
    with pytest.raises(DataError, match=re.escape(str(mirror / name))):
        fetch(resource, offline)


# --- 10. a full disk while writing ----------------------------------------------------------------


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _FullFile(io.RawIOBase):
    """A writable file object whose writes fail as on a full disk."""

    def __init__(self, handle):
        self.handle = handle

    def writable(self):
        return True

    def write(self, data):
        _no_space()

    def close(self):
        self.handle.close()
        super().close()


def _write_hash_record(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "u.txt").write_bytes(b"first use")
    monkeypatch.setattr(Path, "write_text", _no_space)
    fetch(Resource("u.txt", url=None), Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    return tmp_path / "data" / "hashes.json"


def _download(tmp_path, monkeypatch):
    (tmp_path / "server.bin").write_bytes(b"payload" * 100)
    real = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FullFile(real(fd, *a, **k)))
    cfg = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    fetch(Resource("d/file.bin", url=(tmp_path / "server.bin").as_uri()), cfg)
    return tmp_path / "data" / "d" / "file.bin"


def _unpack(tmp_path, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a.txt", "A")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "pack.zip").write_bytes(buffer.getvalue())
    monkeypatch.setattr(shutil, "copyfileobj", _no_space)
    cfg = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", offline=True)
    fetch(Resource("pack", url=None, sha256=sha(buffer.getvalue()), archive="zip"), cfg)
    return tmp_path / "data" / "pack"


def _atomic_text(tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "write_text", _no_space)
    write_text_atomic(tmp_path / "out" / "table.csv", "a,b\n")
    return tmp_path / "out" / "table.csv"


def _feature_cache(tmp_path, monkeypatch):
    paths = []
    for i in range(3):
        paths.append(tmp_path / f"img{i}.png")
        paths[-1].write_bytes(png_bytes(40 * i, 8))
    stimuli = Stimuli("toy", ("a", "b", "c"), tuple(paths))
    monkeypatch.setattr(np, "save", _no_space)
    features.extract_features("untrained/mobilenetv2_100.seed0", stimuli, batch_size=2, num_workers=0, progress=False)
    return settings().cache_dir


WRITERS = {"atomic-text": _atomic_text, "hash-record": _write_hash_record, "download": _download,
           "unpack": _unpack, "feature-cache": _feature_cache}


@pytest.mark.parametrize("writer", list(WRITERS))
def test_full_disk_names_the_path_being_written(tmp_path, monkeypatch, writer):
    with pytest.raises(DiskFullError) as err:
        WRITERS[writer](tmp_path, monkeypatch)
    message = one_line(err)
    expected = {"atomic-text": tmp_path / "out" / "table.csv", "hash-record": tmp_path / "data" / "hashes.json",
                "download": tmp_path / "data" / "d" / "file.bin", "unpack": tmp_path / "data" / "pack",
                "feature-cache": settings().cache_dir}[writer]
    assert f"No space left to write {expected}" in message
    assert "Free some space" in message and "HUMANALIGN_" in message
    assert isinstance(err.value, OSError)  # callers that catch OSError still do
    # Nothing half written is left under a final name or as a temporary file.
    folders = (tmp_path, settings().data_dir, settings().cache_dir)
    leftovers = [p for f in folders for p in f.rglob("*") if p.name.endswith((".part", ".tmp", ".unpacking"))]
    assert leftovers == []
    if writer in {"download", "unpack", "atomic-text"}:
        assert not expected.exists()


def test_a_small_mat_file_that_expands_to_gigabytes_is_refused_before_loading(tmp_path, monkeypatch):
    """A compressed variable of zeros is a few kilobytes on disk and megabytes (or gigabytes)
    in memory: counted as it is unpacked, and refused once it passes the limit."""
    from humanalign.datasets import arrangements

    path = tmp_path / "bomb.mat"
    savemat(path, {"judgments": np.zeros((1000, 1000))}, do_compression=True)
    assert path.stat().st_size < 50_000
    assert arrangements.expanded_size(path) >= 8_000_000
    assert arrangements.expanded_size(path, limit=1_000_000) > 1_000_000  # stops soon after the limit
    with pytest.raises(DataError, match=r"bomb\.mat expands to more than .* GiB .* was not loaded"):
        read_mat(path, max_bytes=1_000_000)
    # Within the limit it loads as before; an uncompressed file counts as its own size.
    assert read_mat(path)["judgments"].shape == (1000, 1000)
    plain = tmp_path / "plain.mat"
    savemat(plain, {"x": np.ones((10, 10))})
    assert arrangements.expanded_size(plain) == pytest.approx(plain.stat().st_size, abs=64)
