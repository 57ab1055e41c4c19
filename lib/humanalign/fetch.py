"""Find or download the files a study needs, with sha256 checks and atomic writes.

A :class:`Resource` names a file (or the folder an archive unpacks into) by its path
relative to the data folder. :func:`fetch` looks for it in the read-only mirrors, then in
the data folder, and only then downloads it. Every download goes to a temporary name and is
renamed into place after its hash is checked, so an interrupted run never leaves a partial
file under the final name. A file whose hash is not known in advance has the hash of its
first download recorded in ``<data>/hashes.json`` (under a file lock, with a notice on
stderr); a later copy that differs is refused. A resource may instead pin the MD5 its
authors publish, which is checked before its sha256 is recorded.

An archive is unpacked into a temporary folder that is renamed into place with a
``.complete`` marker listing the sha256 of every unpacked file. A folder counts as present
only with that marker, while every listed file keeps its hash and no unlisted file was added;
otherwise it is unpacked again from its archive (or fetched again), with a notice naming the
file. A mirror's copy with a wrong hash is passed over, with a notice, for another copy.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import http.client
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ._atomic import follow_umask, raise_if_disk_full, write_text_atomic
from .config import Settings, settings as current_settings
from .errors import DataError, DataNotFoundError, HashMismatchError

__all__ = [
    "Resource",
    "cached_sha256",
    "fetch",
    "hash_record",
    "marker_files",
    "notice",
    "record_unpacked",
    "sha256_of",
]

HASH_RECORD = "hashes.json"
MARKER = ".complete"
_CHUNK = 1 << 20
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
# Files an operating system drops into any folder a person opens; no loader reads them.
_OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def notice(message: str) -> None:
    """Tell the user, on one line of stderr, about something done on their behalf."""
    print(f"humanalign: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Resource:
    """One file or unpacked archive that a loader needs.

    Attributes:
        path: Location relative to the data folder. For an archive, the folder it unpacks
            into (the archive's own top folder is kept inside it).
        url: Public download address, or ``None`` when the file must be placed by hand.
        sha256: Expected hash of the downloaded file (the archive for archives); ``None``
            when unknown, in which case the first download's hash is recorded.
        archive: ``"zip"`` or ``"tar.gz"`` when the address serves an archive to unpack.
        password: Password of an encrypted zip, as published by its authors.
        md5: MD5 of the downloaded file as published by its authors, checked when no
            sha256 is pinned (the verified file's sha256 is then recorded).
        manual: Extra instructions for fetching by hand.
        description: One line for error messages and listings.
        folder: True for a folder placed by hand (no address, no single file to hash);
            it counts as present when it exists and is not empty.
    """

    path: str
    url: str | None
    sha256: str | None = None
    archive: str | None = None
    password: str | None = None
    md5: str | None = None
    manual: str = ""
    description: str = ""
    folder: bool = False

    @property
    def archive_name(self) -> str:
        """File name under which a downloaded archive is kept."""
        return self.path.rstrip("/") + "." + (self.archive or "bin")


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


_verified: dict[tuple, str] = {}


def cached_sha256(path: Path) -> str:
    """sha256 of a file, remembered while the file (device and inode, as a link leads to it)
    keeps its size and modification time: one ``stat`` per call once it has been read."""
    stat = os.stat(path)
    key = (os.fspath(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _verified:
        _verified[key] = sha256_of(Path(path))
    return _verified[key]


def _md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _record_lock(cfg: Settings):
    """Hold an exclusive lock on the hash record while it is read, changed and rewritten."""
    cfg.data_dir.mkdir(parents=True, exist_ok=True)
    with open(cfg.data_dir / (HASH_RECORD + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load_record(cfg: Settings) -> dict[str, str]:
    record = cfg.data_dir / HASH_RECORD
    if not record.exists():
        return {}
    fix = (
        "Repair it or delete it; after deleting it every file without a pinned hash is "
        "trusted afresh on its next use (with a notice)."
    )
    try:
        entries = json.loads(record.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataError(f"The hash record {record} is not valid JSON ({err}). {fix}") from err
    if not isinstance(entries, dict):
        raise DataError(
            f"The hash record {record} holds a JSON {type(entries).__name__}; it must be an "
            f"object mapping file paths to sha256 hex digests. {fix}"
        )
    for key, value in entries.items():
        if not (isinstance(value, str) and _HEX64.match(value)):
            raise DataError(
                f"The hash record {record} has the entry {key!r}: {value!r}, which is not a "
                f"sha256 hex digest (64 characters 0-9a-f). {fix}"
            )
    return entries


def hash_record(cfg: Settings | None = None) -> dict[str, str]:
    """The sha256 digests recorded on first use (``<data>/hashes.json``), validated.

    Raises:
        DataError: the record is not a JSON object of path -> sha256 hex digest.
    """
    return _load_record(cfg or current_settings())


def _check_hash(resource: Resource, path: Path, cfg: Settings, *, record: bool) -> None:
    """Compare a file's hash with the expected or recorded one; record it if new."""
    actual = cached_sha256(path)
    expected = resource.sha256
    origin = "the registry"
    if expected is None and resource.md5 is not None:
        found = _md5_of(path)
        if found != resource.md5.lower():
            raise _mismatch(path, f"MD5 {found}, but its authors publish {resource.md5}", resource)
    if expected is None:
        expected = _load_record(cfg).get(resource.path)
        origin = f"the first download, recorded in {cfg.data_dir / HASH_RECORD}"
    if expected is None:
        if record:
            with _record_lock(cfg):
                entries = _load_record(cfg)
                expected = entries.get(resource.path)
                if expected is None:
                    entries[resource.path] = actual
                    write_text_atomic(cfg.data_dir / HASH_RECORD, json.dumps(entries, indent=1, sort_keys=True))
                    if resource.md5:
                        notice(
                            f"{path} matches its published MD5; its sha256 {actual} is recorded "
                            f"in {cfg.data_dir / HASH_RECORD} and later copies must match it."
                        )
                    else:
                        notice(
                            f"trusting {path} on first use (no hash is published for it): sha256 "
                            f"{actual} recorded in {cfg.data_dir / HASH_RECORD}; later copies must match it."
                        )
                    return
        else:
            return
    if actual != expected:
        raise _mismatch(path, f"sha256 {actual}, but {expected} is expected (from {origin})", resource)


def _mismatch(path: Path, detail: str, resource: Resource) -> HashMismatchError:
    again = f"fetch it again from {resource.url}" if resource.url else "fetch it again"
    return HashMismatchError(
        f"{path} has {detail}. The file is corrupt or was changed; it was not used. Delete it and {again}.",
        path=path, detail=detail,
    )


def _how_to_get(resource: Resource, cfg: Settings, looked: list[Path]) -> str:
    places = "\n  ".join(str(p) for p in looked)
    lines = [f"Could not find {resource.path!r} ({resource.description or 'data file'})."]
    lines.append(f"Looked in:\n  {places}")
    if resource.url:
        target = cfg.data_dir / (resource.archive_name if resource.archive else resource.path)
        lines.append(f"Download it from {resource.url} and save it as {target}")
        if resource.archive:
            lines.append(
                f"(the {resource.archive} archive is unpacked into {cfg.data_dir / resource.path}"
                + (f", password {resource.password!r}" if resource.password else "")
                + ")."
            )
    if resource.manual:
        lines.append(resource.manual)
    lines.append("Or point HUMANALIGN_MIRRORS at a folder that holds a copy under the same relative path.")
    return "\n".join(lines)


def _download(url: str, target: Path, resource: Resource, cfg: Settings) -> None:
    """Stream ``url`` into ``target`` through a temporary file, checking the hash."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        try:
            from tqdm.auto import tqdm

            with urllib.request.urlopen(url, timeout=60) as response, os.fdopen(fd, "wb") as out:
                total = int(response.headers.get("Content-Length") or 0) or None
                with tqdm(total=total, unit="B", unit_scale=True, desc=target.name, leave=False) as bar:
                    for block in iter(lambda: response.read(_CHUNK), b""):
                        out.write(block)
                        bar.update(len(block))
                if total is not None and out.tell() != total:
                    raise DataError(
                        f"Download of {url} stopped after {out.tell()} of {total} bytes; "
                        "nothing was kept. Run again to retry."
                    )
        except http.client.HTTPException as err:
            # A connection that closes before Content-Length bytes arrived (IncompleteRead).
            raise DataError(
                f"Download of {url} was interrupted ({type(err).__name__}: {err}); nothing was "
                "kept. Run again to retry."
            ) from err
        except (urllib.error.URLError, OSError, TimeoutError) as err:
            if isinstance(err, DataError):
                raise
            raise_if_disk_full(err, target)
            raise DataNotFoundError(
                f"Could not download {url}: {err}.\n" + _how_to_get(resource, cfg, [target])
            ) from err
        _check_hash(resource, tmp, cfg, record=False)
        actual = cached_sha256(tmp)
        follow_umask(tmp)
        os.replace(tmp, target)
        _verified[(str(target.resolve()), target.stat().st_size, target.stat().st_mtime_ns)] = actual
        if resource.sha256 is None:
            _check_hash(resource, target, cfg, record=True)
    finally:
        tmp.unlink(missing_ok=True)


def _zip_conflicts(names: list[str]) -> str | None:
    """A member that is a file in one entry and a folder in another, if any."""
    files = {n.rstrip("/") for n in names if not n.endswith("/")}
    for name in names:
        for parent in Path(name.rstrip("/")).parents:
            if parent.as_posix() in files:
                return parent.as_posix()
    return None


def _file_digests(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (links to files included), keyed by relative path."""
    return {
        p.relative_to(folder).as_posix(): sha256_of(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


def _write_manifest(folder: Path, archive: Path, archive_sha: str) -> None:
    manifest = {"archive": archive.name, "archive_sha256": archive_sha, "files": _file_digests(folder)}
    (folder / MARKER).write_text(json.dumps(manifest, indent=1, sort_keys=True))


def record_unpacked(folder: str | os.PathLike) -> Path:
    """Mark a folder unpacked by hand as complete, recording the sha256 of every file in it.

    For archives too large to keep: unpack it yourself into the data folder, then call this
    once. Later uses check the files against these hashes, as for an unpacking done here.

    Returns:
        The marker file written.
    """
    folder = Path(folder)
    if not folder.is_dir() or not any(folder.iterdir()):
        raise DataError(f"{folder} is not a folder with files in it; unpack the archive there first.")
    digest = _file_digests(folder)
    marker = folder / MARKER
    write_text_atomic(marker, json.dumps({"archive": None, "files": digest}, indent=1, sort_keys=True))
    notice(f"recorded the sha256 of {len(digest)} files unpacked by hand in {folder}; later copies must match them.")
    return marker


def _unpack(archive: Path, resource: Resource, dest: Path) -> Path:
    """Unpack a zip or tar archive into ``dest`` atomically (temporary folder, then rename); returns ``dest``."""
    import pyzipper

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=dest.name + ".", suffix=".unpacking", dir=dest.parent))
    follow_umask(tmp, folder=True)
    try:
        try:
            if resource.archive != "zip":
                with tarfile.open(archive) as tf:
                    tf.extractall(tmp, filter="data")
            else:
                with pyzipper.AESZipFile(archive) as zf:
                    if resource.password:
                        zf.setpassword(resource.password.encode())
                    for info in zf.infolist():
                        name = Path(info.filename)
                        if name.is_absolute() or ".." in name.parts:
                            raise DataError(f"{archive} holds an unsafe member name {info.filename!r}.")
                    clash = _zip_conflicts([info.filename for info in zf.infolist()])
                    if clash:
                        raise DataError(
                            f"{archive} holds {clash!r} both as a file and as a folder of other "
                            "members; it cannot be unpacked. Delete it and fetch it again."
                        )
                    zf.extractall(tmp)
            _write_manifest(tmp, archive, cached_sha256(archive))
        except tarfile.FilterError as err:
            raise DataError(
                f"{archive} holds a member that was refused for safety ({err}); nothing was "
                "unpacked. The archive is not the published one: delete it and fetch it again."
            ) from err
        except RuntimeError as err:
            if "password" in str(err).lower() or "encrypted" in str(err).lower():
                raise DataError(
                    f"Could not unpack {archive}: wrong or missing password "
                    f"({'given: ' + repr(resource.password) if resource.password else 'none given'}). "
                    "Check the password published with the archive."
                ) from err
            raise DataError(f"Could not unpack {archive}: {err}") from err
        except (pyzipper.BadZipFile, tarfile.TarError) as err:
            raise DataError(
                f"{archive} is not a valid {resource.archive} archive ({err}); delete it and fetch again."
            ) from err
        except OSError as err:
            raise_if_disk_full(err, dest)
            raise DataError(
                f"Could not unpack {archive} into {dest.parent} ({type(err).__name__}: {err}); "
                "check that the folder is writable and has space, or delete the archive and fetch it again."
            ) from err
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
        return dest
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def marker_files(folder: str | os.PathLike) -> dict | None:
    """What the ``.complete`` marker of an unpacked folder lists: relative path -> sha256.

    Returns ``None`` when ``folder`` has no readable marker (it was not unpacked here).
    """
    try:
        files = json.loads((Path(folder) / MARKER).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    return files if isinstance(files, dict) else None


def _unpacked_problem(folder: Path) -> str | None:
    """Why an unpacked folder cannot be used as it is, or ``None`` when it checks out."""
    marker = folder / MARKER
    if not marker.is_file():
        return f"{folder} has no {MARKER} marker (an unpacking that did not finish)"
    files = marker_files(folder)
    if files is None:
        return f"{marker} holds no list of unpacked files and their hashes"
    for rel, digest in files.items():
        path = folder / rel
        if Path(rel).is_absolute() or ".." in Path(rel).parts or not isinstance(digest, str):
            return f"{marker} has the malformed entry {rel!r}"
        if not path.is_file():
            return f"{path} is missing"
        if cached_sha256(path) != digest:
            return f"{path} was changed after unpacking"
    # An added file could stand in for a stimulus or be read by a loader's glob.
    added = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in _OS_LITTER
                   and p != marker and p.relative_to(folder).as_posix() not in files)
    if added:
        return (f"{added[0]} is not among the files its {MARKER} marker lists ({len(added)} file(s) "
                f"added after unpacking); remove them, or delete {folder} to have it unpacked afresh")
    return None


def _present(candidate: Path, resource: Resource) -> bool:
    if resource.folder:
        return candidate.is_dir() and any(candidate.iterdir())
    return candidate.is_file()


def _hash_ok(resource: Resource, path: Path, root: Path, cfg: Settings, bad: list[HashMismatchError]) -> bool:
    """Check a found copy's hash; a bad one in a read-only mirror is noted in ``bad`` and passed over."""
    try:
        _check_hash(resource, path, cfg, record=True)
    except HashMismatchError as err:
        if root == cfg.data_dir:
            raise
        bad.append(err)
        notice(f"passing over the corrupt mirror copy {path} ({err.detail}); using the data folder or a download.")
        return False
    return True


def fetch(resource: Resource, cfg: Settings | None = None) -> Path:
    """Return a local path for ``resource``, downloading it if needed.

    Search order: each mirror, then the data folder, then the (possibly redirected) URL; a
    mirror's copy with a wrong hash is passed over with a notice.

    Raises:
        DataNotFoundError: nowhere to be found and no download possible; the message says
            which file, where it was looked for and how to get it.
        HashMismatchError: a copy exists but its hash is wrong (in the data folder, or in a
            mirror with no other copy to use instead); it is not used.
    """
    cfg = cfg or current_settings()
    looked: list[Path] = []
    roots = [*cfg.mirrors, cfg.data_dir]
    problems: list[str] = []
    bad: list[HashMismatchError] = []
    if resource.archive:
        # An unpacked folder that checks out anywhere wins over unpacking an archive again.
        for root in roots:
            candidate = root / resource.path
            looked.append(candidate)
            if candidate.is_dir():
                problem = _unpacked_problem(candidate)
                if problem is None:
                    return candidate
                problems.append(problem)
                notice(f"not using {candidate}: {problem}; unpacking or fetching it again.")
        for root in roots:
            packed = root / resource.archive_name
            looked.append(packed)
            if packed.is_file() and _hash_ok(resource, packed, root, cfg, bad):
                return _unpack(packed, resource, cfg.data_dir / resource.path)
    else:
        for root in roots:
            candidate = root / resource.path
            looked.append(candidate)
            if _present(candidate, resource) and (resource.folder or _hash_ok(resource, candidate, root, cfg, bad)):
                return candidate
    problems += [f"{err.path} has {err.detail}" for err in bad]
    unused = "\nCopies found but not used: " + "; ".join(problems) + "." if problems else ""
    if resource.url is None or cfg.offline:
        message = _how_to_get(resource, cfg, looked) + unused
        if bad:
            raise HashMismatchError(f"{bad[0].path} has {bad[0].detail}; it was not used and no other copy was "
                                    f"found: replace that copy.\n{message}", path=bad[0].path, detail=bad[0].detail)
        raise DataNotFoundError(message)
    target = cfg.data_dir / (resource.archive_name if resource.archive else resource.path)
    try:
        _download(cfg.map_url(resource.url), target, resource, cfg)
    except DataNotFoundError as err:
        if not problems:
            raise
        raise DataNotFoundError(f"{err}{unused}") from err
    return _unpack(target, resource, cfg.data_dir / resource.path) if resource.archive else target
