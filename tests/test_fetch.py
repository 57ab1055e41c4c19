"""fetch(): mirrors, downloads over a loopback HTTP server, hashes, archives, errors."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

import pytest
import pyzipper

from conftest import needs_mirror
from humanalign.config import Settings, settings
from humanalign.errors import DataError, DataNotFoundError, HashMismatchError
from humanalign.fetch import (
    HASH_RECORD,
    Resource,
    fetch,
    sha256_of,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Server:
    """A loopback HTTP server with in-memory routes and a request log."""

    def __init__(self) -> None:
        self.routes: dict[str, bytes] = {}
        self.truncated: dict[str, int] = {}  # path -> bytes actually sent (Content-Length is full)
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                outer.requests.append(self.path)
                body = outer.routes.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: outer.truncated.get(self.path, len(body))])
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture
def cfg(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".part", ".tmp", ".unpacking")))


# --- mirrors -------------------------------------------------------------------------


def test_mirror_is_used_before_download(tmp_path, server):
    body = b"mirror copy\n"
    mirror = tmp_path / "mirror"
    (mirror / "d").mkdir(parents=True)
    (mirror / "d" / "f.txt").write_bytes(body)
    server.routes["/f.txt"] = b"server copy\n"
    cfg = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "c", mirrors=(tmp_path / "empty", mirror))
    res = Resource("d/f.txt", url=server.url + "/f.txt", sha256=sha(body))
    assert fetch(res, cfg) == mirror / "d" / "f.txt"
    assert server.requests == []


def test_mirror_with_wrong_hash_is_refused(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "f.txt").write_bytes(b"tampered")
    cfg = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "c", mirrors=(mirror,))
    with pytest.raises(HashMismatchError, match=r"f\.txt.*not used"):
        fetch(Resource("f.txt", url=None, sha256=sha(b"original")), cfg)


# --- downloads and hashes --------------------------------------------------------------


def test_download_with_known_hash(cfg, server):
    body = b"x" * 5000
    server.routes["/a.bin"] = body
    path = fetch(Resource("sub/a.bin", url=server.url + "/a.bin", sha256=sha(body)), cfg)
    assert path == cfg.data_dir / "sub" / "a.bin"
    assert path.read_bytes() == body
    # A second call finds the file and does not download again.
    assert fetch(Resource("sub/a.bin", url=server.url + "/a.bin", sha256=sha(body)), cfg) == path
    assert server.requests == ["/a.bin"]
    assert leftovers(cfg.data_dir) == []


def test_download_with_wrong_hash_is_refused_and_not_kept(cfg, server):
    server.routes["/a.bin"] = b"evil"
    with pytest.raises(HashMismatchError, match="not used"):
        fetch(Resource("a.bin", url=server.url + "/a.bin", sha256=sha(b"good")), cfg)
    assert not (cfg.data_dir / "a.bin").exists()
    assert leftovers(cfg.data_dir) == []


def test_file_in_data_folder_with_wrong_hash_is_refused(cfg):
    cfg.data_dir.mkdir(parents=True)
    (cfg.data_dir / "a.bin").write_bytes(b"changed")
    with pytest.raises(HashMismatchError):
        fetch(Resource("a.bin", url=None, sha256=sha(b"good")), cfg)


def test_unknown_hash_recorded_then_mismatch_refused(cfg, server):
    server.routes["/u.txt"] = b"first release\n"
    res = Resource("u.txt", url=server.url + "/u.txt")
    path = fetch(res, cfg)
    record = json.loads((cfg.data_dir / HASH_RECORD).read_text())
    assert record == {"u.txt": sha(b"first release\n")}
    # The publisher changes the file; a fresh download must be refused.
    path.unlink()
    server.routes["/u.txt"] = b"silently changed\n"
    with pytest.raises(HashMismatchError, match="first download"):
        fetch(res, cfg)
    assert not path.exists()
    # A local copy edited after the first download is refused as well.
    path.write_bytes(b"edited by hand\n")
    with pytest.raises(HashMismatchError):
        fetch(res, cfg)


def test_corrupt_hash_record_is_reported(cfg):
    cfg.data_dir.mkdir(parents=True)
    (cfg.data_dir / "u.txt").write_text("x")
    (cfg.data_dir / HASH_RECORD).write_text("{not json")
    with pytest.raises(DataError, match=HASH_RECORD):
        fetch(Resource("u.txt", url=None), cfg)


def test_interrupted_download_leaves_no_file(cfg, server):
    body = b"y" * 100_000
    server.routes["/big.bin"] = body
    server.truncated["/big.bin"] = 30_000
    res = Resource("big.bin", url=server.url + "/big.bin", sha256=sha(body))
    with pytest.raises(DataError, match="interrupted|stopped"):
        fetch(res, cfg)
    assert not (cfg.data_dir / "big.bin").exists()
    assert leftovers(cfg.data_dir) == []
    # Once the server behaves, the same call succeeds.
    del server.truncated["/big.bin"]
    assert fetch(res, cfg).read_bytes() == body


def test_http_error_says_how_to_get_the_file(cfg, server):
    res = Resource("gone.bin", url=server.url + "/gone.bin", description="a vanished file")
    with pytest.raises(DataNotFoundError, match=r"(?s)Could not download .*gone\.bin.*404"):
        fetch(res, cfg)
    assert not (cfg.data_dir / "gone.bin").exists()


# --- missing files, offline mode, URL map -------------------------------------------------


def test_missing_file_error_names_file_places_and_how(tmp_path):
    mirror = tmp_path / "mirror"
    cfg = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "c", mirrors=(mirror,))
    res = Resource("x/hand.mat", url=None, description="hand-placed data", manual="Ask the authors for it.")
    with pytest.raises(DataNotFoundError) as info:
        fetch(res, cfg)
    text = str(info.value)
    assert "x/hand.mat" in text and "hand-placed data" in text
    assert str(mirror / "x" / "hand.mat") in text and str(cfg.data_dir / "x" / "hand.mat") in text
    assert "Ask the authors for it." in text and "HUMANALIGN_MIRRORS" in text
    assert isinstance(info.value, FileNotFoundError)


def test_offline_never_downloads(tmp_path, server, monkeypatch):
    server.routes["/a.txt"] = b"a"
    monkeypatch.setenv("HUMANALIGN_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("HUMANALIGN_OFFLINE", "1")
    res = Resource("a.txt", url=server.url + "/a.txt", sha256=sha(b"a"))
    with pytest.raises(DataNotFoundError, match=r"(?s)Download it from .*/a\.txt"):
        fetch(res)
    assert server.requests == []
    monkeypatch.setenv("HUMANALIGN_OFFLINE", "0")
    assert fetch(res).read_bytes() == b"a"


def test_url_map_redirects_downloads(tmp_path, server, monkeypatch):
    server.routes["/osf/abc/download"] = b"redirected"
    monkeypatch.setenv("HUMANALIGN_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("HUMANALIGN_URL_MAP", f"https://osf.invalid={server.url}/osf")
    res = Resource("r.txt", url="https://osf.invalid/abc/download", sha256=sha(b"redirected"))
    assert fetch(res).read_bytes() == b"redirected"
    assert server.requests == ["/osf/abc/download"]


# --- archives -------------------------------------------------------------------------------


def plain_zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def aes_zip(files: dict[str, bytes], password: bytes) -> bytes:
    buf = io.BytesIO()
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(password)
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_is_unpacked(cfg, server):
    blob = plain_zip({"top/a.txt": b"A", "top/sub/b.txt": b"B"})
    server.routes["/z"] = blob
    res = Resource("things/pack", url=server.url + "/z", sha256=sha(blob), archive="zip")
    dest = fetch(res, cfg)
    assert dest == cfg.data_dir / "things" / "pack"
    assert (dest / "top" / "a.txt").read_bytes() == b"A"
    assert (dest / "top" / "sub" / "b.txt").read_bytes() == b"B"
    assert (cfg.data_dir / "things" / "pack.zip").is_file()  # the archive is kept
    assert fetch(res, cfg) == dest and server.requests == ["/z"]
    assert leftovers(cfg.data_dir) == []


def test_zip_with_password(cfg, server):
    blob = aes_zip({"object_images_CC0/cat.jpg": b"jpegbytes"}, b"secret")
    server.routes["/p"] = blob
    res = Resource("imgs", url=server.url + "/p", archive="zip", password="secret")
    dest = fetch(res, cfg)
    assert (dest / "object_images_CC0" / "cat.jpg").read_bytes() == b"jpegbytes"


@pytest.mark.parametrize("password", ["wrong", None])
def test_zip_with_wrong_or_missing_password(cfg, server, password):
    blob = aes_zip({"a.txt": b"A"}, b"secret")
    server.routes["/p"] = blob
    res = Resource("imgs", url=server.url + "/p", archive="zip", password=password)
    with pytest.raises(DataError, match="password"):
        fetch(res, cfg)
    assert not (cfg.data_dir / "imgs").exists()
    assert leftovers(cfg.data_dir) == []


def test_zip_with_unsafe_member_is_refused(cfg, server):
    blob = plain_zip({"../escape.txt": b"x"})
    server.routes["/bad"] = blob
    with pytest.raises(DataError, match="unsafe"):
        fetch(Resource("pack", url=server.url + "/bad", archive="zip"), cfg)
    assert not (cfg.data_dir.parent / "escape.txt").exists()


def test_not_a_zip_is_reported(cfg, server):
    server.routes["/junk"] = b"<html>login page</html>"
    with pytest.raises(DataError, match="not a valid zip"):
        fetch(Resource("pack", url=server.url + "/junk", archive="zip"), cfg)


def test_tar_gz_is_unpacked(cfg, server):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in {"cifar-100-python/meta": b"M", "cifar-100-python/test": b"T"}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    blob = buf.getvalue()
    server.routes["/c.tar.gz"] = blob
    res = Resource("cifar100", url=server.url + "/c.tar.gz", sha256=sha(blob), archive="tar.gz")
    dest = fetch(res, cfg)
    assert (dest / "cifar-100-python" / "test").read_bytes() == b"T"
    assert (cfg.data_dir / "cifar100.tar.gz").is_file()


def test_archive_in_mirror_is_unpacked_into_data_folder(tmp_path):
    blob = plain_zip({"triplet_dataset/t.csv": b"image1\timage2\timage3\tchoice\n"})
    mirror = tmp_path / "mirror"
    (mirror / "things").mkdir(parents=True)
    (mirror / "things" / "triplet_dataset.zip").write_bytes(blob)
    cfg = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "c", mirrors=(mirror,))
    res = Resource("things/triplet_dataset", url=None, sha256=sha(blob), archive="zip")
    dest = fetch(res, cfg)
    assert dest == cfg.data_dir / "things" / "triplet_dataset"
    assert (dest / "triplet_dataset" / "t.csv").is_file()


def test_folder_resource_placed_by_hand(cfg):
    res = Resource("cichy118", url=None, folder=True, manual="Place it by hand.")
    with pytest.raises(DataNotFoundError, match="Place it by hand"):
        fetch(res, cfg)
    (cfg.data_dir / "cichy118").mkdir(parents=True)
    with pytest.raises(DataNotFoundError):  # an empty folder does not count
        fetch(res, cfg)
    (cfg.data_dir / "cichy118" / "x.txt").write_text("x")
    assert fetch(res, cfg) == cfg.data_dir / "cichy118"


def test_sha256_of_matches_hashlib(tmp_path):
    data = bytes(range(256)) * 5000  # several read chunks
    (tmp_path / "f").write_bytes(data)
    assert sha256_of(tmp_path / "f") == sha(data)


def test_registered_resources_are_consistent():
    from humanalign.sources import RESOURCES, demo_resources, get_resource, list_resources

    # 29 data files, 334 ImageNet photos, 484 THINGSplus CC0 photos, 1849 THINGS database photos
    assert len(demo_resources()) == 2696
    for key, res in RESOURCES.items():
        assert res.path == key
        assert res.url or res.manual, f"{key} has neither an address nor instructions"
        assert not (res.folder and res.archive)
    assert [r.path for r in list_resources()] == sorted(RESOURCES)
    with pytest.raises(KeyError, match="Did you mean"):
        get_resource("things/things_concept.tsv")


@needs_mirror
def test_every_manifest_row_matches_the_offline_copy():
    """Size and sha256 of each row of the package's manifest, against the file in the mirror."""
    text = (resources.files("humanalign") / "resources" / "demo_manifest.tsv").read_text()
    rows = list(csv.DictReader(text.splitlines(), delimiter="\t"))
    assert len({row["path"] for row in rows}) == len(rows) > 800
    wrong = []
    for row in rows:
        copy = next((m / row["path"] for m in settings().mirrors if (m / row["path"]).is_file()), None)
        if copy is None:
            wrong.append(f"{row['path']}: not in the offline copy")
        elif copy.stat().st_size != int(row["bytes"]) or sha256_of(copy) != row["sha256"]:
            wrong.append(f"{row['path']}: size or sha256 differs from the manifest")
    assert not wrong, "\n".join(wrong)


# --- attacks and mistakes: the hash record, unpacked folders, archives, permissions ----


def _record_many(data_dir: str, worker: int, count: int) -> None:
    cfg = Settings(data_dir=Path(data_dir), cache_dir=Path(data_dir) / "cache")
    for i in range(count):
        name = f"w{worker}/f{i}.txt"
        (cfg.data_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (cfg.data_dir / name).write_text(f"{worker}-{i}")
        fetch(Resource(name, url=None), cfg)


def test_eight_concurrent_recorders_keep_every_entry(cfg):
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    cfg.data_dir.mkdir(parents=True)
    workers = [ctx.Process(target=_record_many, args=(str(cfg.data_dir), w, 20)) for w in range(8)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
    assert [p.exitcode for p in workers] == [0] * 8
    record = json.loads((cfg.data_dir / HASH_RECORD).read_text())
    assert len(record) == 160
    assert record["w7/f19.txt"] == sha(b"7-19")


@pytest.mark.parametrize("content", ['["u.txt"]', '{"u.txt": null}', '{"u.txt": "abc"}', '"text"'])
def test_malformed_hash_record_is_refused_not_ignored(cfg, content):
    cfg.data_dir.mkdir(parents=True)
    (cfg.data_dir / "u.txt").write_text("x")
    (cfg.data_dir / HASH_RECORD).write_text(content)
    with pytest.raises(DataError, match=rf"{HASH_RECORD}.*(object|sha256)"):
        fetch(Resource("u.txt", url=None), cfg)
    assert (cfg.data_dir / HASH_RECORD).read_text() == content  # left for the user to repair


def test_first_use_and_a_deleted_record_are_announced(cfg, capsys):
    cfg.data_dir.mkdir(parents=True)
    (cfg.data_dir / "u.txt").write_text("x")
    fetch(Resource("u.txt", url=None), cfg)
    assert "trusting" in capsys.readouterr().err
    fetch(Resource("u.txt", url=None), cfg)
    assert capsys.readouterr().err == ""  # known now: quiet
    (cfg.data_dir / HASH_RECORD).unlink()
    (cfg.data_dir / "u.txt").write_text("swapped")
    fetch(Resource("u.txt", url=None), cfg)
    err = capsys.readouterr().err
    assert "trusting" in err and str(cfg.data_dir / "u.txt") in err


def test_published_md5_is_checked_before_recording(cfg, server, capsys):
    body = b"archive bytes"
    server.routes["/a"] = body
    good = hashlib.md5(body).hexdigest()
    with pytest.raises(HashMismatchError, match="MD5"):
        fetch(Resource("a.bin", url=server.url + "/a", md5="0" * 32), cfg)
    assert not (cfg.data_dir / "a.bin").exists() and not (cfg.data_dir / HASH_RECORD).exists()
    fetch(Resource("a.bin", url=server.url + "/a", md5=good), cfg)
    assert "matches its published MD5" in capsys.readouterr().err
    (cfg.data_dir / "a.bin").write_bytes(b"planted")
    with pytest.raises(HashMismatchError, match="MD5"):
        fetch(Resource("a.bin", url=server.url + "/a", md5=good), cfg)


def _mirror_zip(tmp_path, files):
    blob = plain_zip(files)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "pack.zip").write_bytes(blob)
    cfg = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "c", mirrors=(mirror,), offline=True)
    return cfg, Resource("pack", url=None, sha256=sha(blob), archive="zip")


def test_file_edited_inside_unpacked_folder_is_unpacked_again(tmp_path, capsys):
    cfg, res = _mirror_zip(tmp_path, {"top/a.txt": b"A", "top/b.txt": b"B"})
    dest = fetch(res, cfg)
    manifest = json.loads((dest / ".complete").read_text())
    assert manifest["files"] == {"top/a.txt": sha(b"A"), "top/b.txt": sha(b"B")}
    (dest / "top" / "a.txt").write_bytes(b"tampered")
    capsys.readouterr()
    assert fetch(res, cfg) == dest
    assert "changed after unpacking" in capsys.readouterr().err
    assert (dest / "top" / "a.txt").read_bytes() == b"A"
    (dest / "top" / "b.txt").unlink()
    fetch(res, cfg)
    assert (dest / "top" / "b.txt").read_bytes() == b"B"


def test_folder_without_marker_does_not_count(cfg):
    dest = cfg.data_dir / "pack"
    dest.mkdir(parents=True)
    (dest / "a.txt").write_text("half unpacked")
    offline = Settings(data_dir=cfg.data_dir, cache_dir=cfg.cache_dir, offline=True)
    with pytest.raises(DataNotFoundError, match=r"no \.complete marker"):
        fetch(Resource("pack", url="https://example.invalid/p.zip", archive="zip"), offline)


def test_edited_folder_without_archive_is_refused_offline(tmp_path):
    cfg, res = _mirror_zip(tmp_path, {"a.txt": b"A"})
    dest = fetch(res, cfg)
    (tmp_path / "mirror" / "pack.zip").unlink()
    (dest / "a.txt").write_bytes(b"tampered")
    with pytest.raises(DataNotFoundError, match="changed after unpacking"):
        fetch(res, cfg)


def test_tar_with_refused_member_says_so(cfg, server, tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        info = tarfile.TarInfo("evil")
        info.type = tarfile.SYMTYPE
        info.linkname = str(tmp_path / "outside")
        tf.addfile(info)
    server.routes["/t"] = buf.getvalue()
    with pytest.raises(DataError, match="refused for safety") as err:
        fetch(Resource("pack", url=server.url + "/t", archive="tar.gz"), cfg)
    assert "not a valid" not in str(err.value)
    assert not (tmp_path / "outside").exists() and leftovers(cfg.data_dir) == []


def test_zip_with_file_and_folder_of_one_name_is_refused(cfg, server):
    server.routes["/z"] = plain_zip({"link": b"x", "link/x": b"y"})
    with pytest.raises(DataError, match="both as a file and as a folder"):
        fetch(Resource("pack", url=server.url + "/z", archive="zip"), cfg)
    assert not (cfg.data_dir / "pack").exists() and leftovers(cfg.data_dir) == []


def test_downloads_and_unpacked_folders_follow_the_umask(cfg, server):
    import os

    old = os.umask(0o022)
    try:
        server.routes["/f"] = b"shared"
        server.routes["/z"] = plain_zip({"a.txt": b"A"})
        path = fetch(Resource("f.txt", url=server.url + "/f"), cfg)
        folder = fetch(Resource("pack", url=server.url + "/z", archive="zip"), cfg)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    assert (cfg.data_dir / HASH_RECORD).stat().st_mode & 0o777 == 0o644
    assert folder.stat().st_mode & 0o777 == 0o755


def test_folder_unpacked_by_hand_counts_once_recorded(cfg, capsys):
    from humanalign.fetch import record_unpacked

    offline = Settings(data_dir=cfg.data_dir, cache_dir=cfg.cache_dir, offline=True)
    res = Resource("pack", url="https://example.invalid/p.zip", archive="zip")
    folder = cfg.data_dir / "pack"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text("A")
    with pytest.raises(DataNotFoundError, match="marker"):
        fetch(res, offline)
    record_unpacked(folder)
    assert "recorded the sha256 of 1 files" in capsys.readouterr().err
    assert fetch(res, offline) == folder
    (folder / "sub" / "a.txt").write_text("edited")
    with pytest.raises(DataNotFoundError, match="changed after unpacking"):
        fetch(res, offline)
    with pytest.raises(DataError, match="not a folder with files"):
        record_unpacked(cfg.data_dir / "nothing")


def test_marker_files_reads_a_marker_or_says_none(tmp_path):
    from humanalign.fetch import marker_files

    cfg, res = _mirror_zip(tmp_path, {"top/a.txt": b"A"})
    dest = fetch(res, cfg)
    assert marker_files(dest) == {"top/a.txt": sha(b"A")}
    assert marker_files(tmp_path) is None
    (dest / ".complete").write_text("[1, 2]")
    assert marker_files(dest) is None


def test_file_added_to_unpacked_folder_is_unpacked_again(tmp_path, capsys):
    cfg, res = _mirror_zip(tmp_path, {"top/a.txt": b"A"})
    dest = fetch(res, cfg)
    (dest / "top" / "b.txt").write_bytes(b"planted")
    capsys.readouterr()
    assert fetch(res, cfg) == dest
    assert f"{dest / 'top' / 'b.txt'} is not among the files" in capsys.readouterr().err
    assert not (dest / "top" / "b.txt").exists()


def test_mirror_copy_with_wrong_hash_gives_way_to_the_data_folder(tmp_path, capsys):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "f.txt").write_bytes(b"tampered")
    cfg = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "c", mirrors=(mirror,))
    cfg.data_dir.mkdir()
    (cfg.data_dir / "f.txt").write_bytes(b"original")
    assert fetch(Resource("f.txt", url=None, sha256=sha(b"original")), cfg) == cfg.data_dir / "f.txt"
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"corrupt mirror copy {mirror / 'f.txt'}" in err
    # The data folder's own copy is never passed over: a wrong one there is refused.
    (cfg.data_dir / "f.txt").write_bytes(b"tampered too")
    with pytest.raises(HashMismatchError) as info:
        fetch(Resource("f.txt", url=None, sha256=sha(b"original")), cfg)
    assert info.value.path == cfg.data_dir / "f.txt" and info.value.detail.startswith("sha256 ")
