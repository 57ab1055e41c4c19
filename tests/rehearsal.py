"""A rehearsal of the full profile: stand-ins of its sources, served on the loopback.

Our build machines cannot reach OSF, the THINGS site or the model hubs, so the download
path of the full profile would first run on a user's machine. This module builds
stand-ins in the exact formats of the real files and serves them from a local HTTP
server; ``HUMANALIGN_URL_MAP`` then sends every public address there, and the library's
ordinary code (download, hash record, unpacking, loaders, weight loading) runs unchanged.

Stand-ins (built by :func:`build_standins`):

* the THINGS triplet zip (``triplet_dataset/triplets_large_final_correctednc_correctedorder.csv``,
  tab-separated ``image1 image2 image3 choice``, 1-based) over all 1854 concepts, with
  choices **simulated** from the VICE human embedding (not made by people);
* the THINGSplus image zip (``object_images_CC0/<uniqueID>.jpg``, AES-encrypted with the
  published password), one small procedural picture per concept;
* the SPoSE 66-d text files (embedding rows in a shuffled ``uniqueID`` order, the order
  file, dimension labels), random non-negative values;
* the demo files of the offline copy (concepts, VICE, noise-ceiling set, categories, the
  SPoSE 14-/82-d refits, ImageNet class names), served under their public addresses so
  that nothing comes from a mirror;
* ``.mat`` files and images of the arrangement data sets (no public address: placed in
  the data folder, as their instructions say, by :func:`place_manual`);
* random-initialisation weights of three tiny models, one per source (torchvision, timm,
  open_clip), registered through ``HUMANALIGN_EXTRA_MODELS`` (:func:`write_model_table`).

Nothing here is data about people or about trained models: the rehearsal proves the
plumbing, never a result.
"""

from __future__ import annotations

import csv
import hashlib
import http.server
import io
import json
import os
import shutil
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, unquote

import numpy as np

from humanalign.config import Settings
from humanalign.datasets.demo import simulate_choices
from humanalign.errors import DataError
from humanalign.fetch import Resource
from humanalign.registry import EXTRA_MODELS_ENV

__all__ = [
    "EXTRA_MODELS_ENV",
    "FAULTS",
    "REHEARSAL_HOST",
    "REHEARSAL_MODELS",
    "StandinServer",
    "Standins",
    "build_standins",
    "check_standins",
    "place_manual",
    "simulate_choices",
    "url_map",
    "write_model_table",
]

REHEARSAL_HOST = "https://rehearsal.humanalign.invalid"
FAULTS = ("truncate", "alter", "cut")
TRIPLET_MEMBER = "triplet_dataset/triplets_large_final_correctednc_correctedorder.csv"
IMAGE_FOLDER = "object_images_CC0"

# One tiny model per source. The torchvision and timm rows use the libraries' own weight
# addresses (download.pytorch.org, huggingface.co); open_clip has no tiny pretrained tag,
# so its row names a rehearsal address. All weights are random initialisations; the rows
# carry the objective and training data of the models they stand in for (two ImageNet-1k
# classifiers of two families, one image/text model), so that the chapters' taxonomy and
# verdict code runs end to end. No verdict of a rehearsal book means anything.
REHEARSAL_MODELS = (
    "torchvision/mobilenet_v3_small.IMAGENET1K_V1",
    "timm/test_vit.r160_in1k",
    "open_clip/ViT-S-32-alt.rehearsal",
)

_STAND_IN = "random weights standing in for a model with this objective and data, so that the verdicts run"
_ROWS = [
    dict(id="torchvision/mobilenet_v3_small.IMAGENET1K_V1", source="torchvision", arch="mobilenet_v3_small",
         tag="IMAGENET1K_V1", builder="mobilenet_v3_small", family="MobileNet v3 (rehearsal)", params="2542856",
         objective="supervised softmax", objective_detail=_STAND_IN,
         training_data="ImageNet-1k",
         penultimate="classifier.0", logits="classifier.3", penultimate_dim="1024", logits_dim="1000",
         input_size="224", weights_url="https://download.pytorch.org/models/mobilenet_v3_small-047dcff4.pth"),
    dict(id="timm/test_vit.r160_in1k", source="timm", arch="test_vit", tag="r160_in1k",
         builder="test_vit.r160_in1k", family="ViT (rehearsal)", params="371240",
         objective="supervised softmax", objective_detail=_STAND_IN,
         training_data="ImageNet-1k",
         penultimate="fc_norm", logits="head", penultimate_dim="64", logits_dim="1000", input_size="160",
         weights_url="https://huggingface.co/timm/test_vit.r160_in1k"),
    dict(id="open_clip/ViT-S-32-alt.rehearsal", source="open_clip", arch="ViT-S-32-alt", tag="rehearsal",
         builder="ViT-S-32-alt", family="CLIP ViT (rehearsal)", params="22592640",
         objective="image/text contrastive", objective_detail=_STAND_IN,
         training_data="LAION-2B",
         penultimate="visual", logits="visual", penultimate_dim="256", logits_dim="256", input_size="224",
         weights_url=f"{REHEARSAL_HOST}/open_clip/ViT-S-32-alt.rehearsal.safetensors"),
]
_COLUMNS = ["id", "source", "arch", "tag", "builder", "family", "params", "imagenet_top1", "top1_source",
            "objective", "objective_detail", "training_data", "penultimate", "logits", "penultimate_dim", "logits_dim",
            "input_size", "public", "weights_url", "note"]


def write_model_table(path: str | os.PathLike) -> Path:
    """Write the rehearsal models as a CSV for ``HUMANALIGN_EXTRA_MODELS``.

    Args:
        path: Where to write the table (same columns as ``resources/models.csv``).

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in _ROWS:
        writer.writerow({
            **{c: "" for c in _COLUMNS}, **row,
            "public": "true",
            "note": "rehearsal stand-in: random weights served on the loopback, not a result",
        })
    _write_bytes(path, buffer.getvalue().encode())
    return path


# ---------------------------------------------------------------------------------------
# Building the stand-ins


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _www_path(url: str) -> str:
    """Where a public address lives on the stand-in server: ``/<host>/<path>``."""
    parts = urlparse(url)
    return f"/{parts.netloc}{parts.path}"


def url_map(base_url: str, urls: list[str] | tuple[str, ...]) -> str:
    """The ``HUMANALIGN_URL_MAP`` value that sends each address's host to the server.

    Args:
        base_url: The server's address, e.g. ``http://127.0.0.1:8765``.
        urls: Public addresses served (their hosts are redirected).
    """
    hosts = sorted({f"{urlparse(u).scheme}://{urlparse(u).netloc}" for u in urls})
    return ";".join(f"{h}={base_url.rstrip('/')}/{urlparse(h).netloc}" for h in hosts)


def _random_triplets(n_objects: int, n: int, rng: np.random.Generator) -> np.ndarray:
    out = rng.integers(0, n_objects, size=(n * 2, 3))
    out = out[(out[:, 0] != out[:, 1]) & (out[:, 0] != out[:, 2]) & (out[:, 1] != out[:, 2])]
    if len(out) < n:  # pragma: no cover - needs n_objects < 5
        raise ValueError(f"Cannot draw {n} triplets over {n_objects} objects.")
    return out[:n]


def _triplet_zip(vice: np.ndarray, n_triplets: int, rng: np.random.Generator) -> bytes:
    items = _random_triplets(len(vice), n_triplets, rng)
    choice = simulate_choices(vice, items, rng)
    lines = ["image1\timage2\timage3\tchoice"]
    lines += [f"{a + 1}\t{b + 1}\t{c + 1}\t{k + 1}" for (a, b, c), k in zip(items.tolist(), choice.tolist())]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(TRIPLET_MEMBER, "\n".join(lines) + "\n")
    return buffer.getvalue()


def _picture(index: int, size: int = 48) -> bytes:
    """A small seeded procedural JPEG: a coloured background with a bar and a disc."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(index)
    colours = [tuple(int(v) for v in rng.integers(0, 256, 3)) for _ in range(3)]
    img = Image.new("RGB", (size, size), colours[0])
    draw = ImageDraw.Draw(img)
    x0, y0 = (int(v) for v in rng.integers(0, size // 2, 2))
    draw.rectangle([x0, y0, x0 + size // 3, y0 + size // 6], fill=colours[1])
    r = int(rng.integers(4, size // 4))
    cx, cy = (int(v) for v in rng.integers(r, size - r, 2))
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colours[2])
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _image_zip(unique_ids: list[str], password: str) -> bytes:
    import pyzipper

    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_STORED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(password.encode())
        for index, uid in enumerate(unique_ids):
            zf.writestr(f"{IMAGE_FOLDER}/{uid}.jpg", _picture(index))
    return buffer.getvalue()


def _save_mat(path: Path, content: dict) -> None:
    from scipy.io import savemat

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        savemat(handle, content)
    os.replace(tmp, path)


def _arrangement_sets(root: Path, rng: np.random.Generator) -> None:
    """Cichy (118 images, ``judgments``) and King (set1/set2, ``BEHAVIOR``) stand-ins."""
    cichy = root / "cichy118"
    for i in range(118):
        _write_bytes(cichy / "images" / f"{i + 1:03d}.jpg", _picture(10_000 + i))
    pairs = rng.random((3, 118, 118))
    _save_mat(cichy / "sim_judgements" / "judgments_general.mat",
              {"judgments": (pairs + pairs.transpose(0, 2, 1)) * (1 - np.eye(118))})
    king = root / "king"
    behaviour = {}
    for s, n in (("set1", 144), ("set2", 144)):
        for i in range(n):
            _write_bytes(king / "images" / s / f"{i + 1}.jpg", _picture(20_000 + 1000 * int(s[-1]) + i))
        d = rng.random((n, n))
        behaviour[s] = {"pairwisedistances": (d + d.T) * (1 - np.eye(n))}
    _save_mat(king / "sim_judgements" / "BEHAVIOR.mat", {"BEHAVIOR": behaviour})


def _model_weights(model_id: str, torch_seed: int) -> bytes:
    """Random-initialisation weights of a rehearsal model, in its library's file format."""
    import torch

    from humanalign.models import build_architecture
    from humanalign.registry import get_spec

    spec = get_spec(model_id)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(torch_seed)
        if spec.source == "open_clip":
            import open_clip

            # The whole CLIP model (both towers): open_clip loads checkpoints strictly.
            model = open_clip.create_model(spec.builder, pretrained=None)
        else:
            model = build_architecture(spec, device=None)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    if spec.source == "torchvision":
        buffer = io.BytesIO()
        torch.save(state, buffer)
        return buffer.getvalue()
    from safetensors.torch import save

    if spec.source == "open_clip":
        # Half precision halves the file; the loader casts back to float32.
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    return save(state)


@dataclass
class Standins:
    """The stand-in files of a rehearsal.

    Attributes:
        root: Folder holding everything.
        www: Folder served by :class:`StandinServer` (``/<host>/<path>`` of each address).
        manual: Folder with the hand-placed data sets (``cichy118/``, ``king/``).
        files: Public address -> sha256 of the served file.
        model_table: CSV of the rehearsal models for ``HUMANALIGN_EXTRA_MODELS``.
    """

    root: Path
    www: Path
    manual: Path
    files: dict[str, str] = field(default_factory=dict)
    model_table: Path | None = None

    def path_of(self, url: str) -> Path:
        """The served file of a public address."""
        return self.www / _www_path(url).lstrip("/")

    def url_map(self, base_url: str) -> str:
        """``HUMANALIGN_URL_MAP`` sending every stand-in address to ``base_url``."""
        return url_map(base_url, list(self.files))


def build_standins(
    root: str | os.PathLike,
    cfg: Settings | None = None,
    n_triplets: int = 20_000,
    seed: int = 0,
    models: tuple[str, ...] = REHEARSAL_MODELS,
) -> Standins:
    """Write every stand-in file of the full profile under ``root``.

    Reads the THINGS concepts and the VICE embedding (the offline copy or the data folder,
    through ``cfg``) to name the images and simulate the triplet choices.

    Args:
        root: Empty or new folder.
        cfg: Settings used to read the offline demo files.
        n_triplets: Rows of the simulated triplet file.
        seed: Seed of every random choice.
        models: Rehearsal model ids whose weights to write (their rows must be registered,
            e.g. through :func:`write_model_table` and ``HUMANALIGN_EXTRA_MODELS``).

    Returns:
        A :class:`Standins` listing every served address with its sha256.
    """
    from humanalign.datasets import things
    from humanalign.fetch import fetch
    from humanalign.models import weights_resource
    from humanalign.sources import get_resource

    root = Path(root)
    out = Standins(root=root, www=root / "www", manual=root / "manual")
    rng = np.random.default_rng(seed)
    concepts = things.load_concepts(cfg)
    vice = things.load_vice(cfg)
    ids = concepts["uniqueID"].tolist()

    def put(resource_key: str | Resource, data: bytes) -> None:
        resource = get_resource(resource_key) if isinstance(resource_key, str) else resource_key
        target = out.path_of(resource.url)
        _write_bytes(target, data)
        out.files[resource.url] = hashlib.sha256(data).hexdigest()

    # The demo files, copied byte for byte from wherever the settings find them.
    # (The SPoSE embeddings are the book's human baselines; the ImageNet class names are read
    # by the reproducibility record; the IT and reference matrices of the 92 images by the
    # overview and the brain chapter.)
    for key in ("things/things_concepts.tsv", "things/vice_embedding_42d.npy",
                "things/test_triplets.csv", "things/category_mat_manual.tsv",
                "things/spose_embedding_14d_sorted.npy", "things/spose_embedding_82d_sorted.npy",
                "things/spose_embedding_49d_sorted.txt", "imagenet/imagenet1000_classes.txt",
                "rsa92/92_behavRDMs.mat", "rsa92/92_brainRDMs.mat", "rsa92/92_modelRDMs.mat",
                "rsa92/Kriegeskorte_Neuron2008_supplementalData.mat"):
        put(key, fetch(get_resource(key), cfg).read_bytes())

    put("things/triplet_dataset", _triplet_zip(vice, n_triplets, rng))
    put("things/images_cc0", _image_zip(ids, get_resource("things/images_cc0").password or ""))

    order = rng.permutation(len(ids))
    spose = rng.gamma(0.5, 0.3, size=(len(ids), 66)).round(6)
    put("things/spose_embedding_66d_sorted.txt",
        "\n".join(" ".join(f"{v:.6f}" for v in row) for row in spose[order]).encode() + b"\n")
    put("things/spose_unique_id.txt", ("\n".join(ids[i] for i in order) + "\n").encode())
    put("things/spose_dimension_labels.txt",
        ("\n".join(f"stand-in dimension {d + 1}" for d in range(66)) + "\n").encode())

    _arrangement_sets(out.manual, rng)
    for index, model_id in enumerate(models):
        put(weights_resource(model_id), _model_weights(model_id, seed + index))
    _write_bytes(root / "files.json", json.dumps(out.files, indent=1, sort_keys=True).encode())
    return out


def place_manual(standins: Standins, data_dir: str | os.PathLike) -> list[Path]:
    """Copy the hand-placed data sets (no public address) into a data folder.

    Returns:
        The folders placed (``<data>/cichy118``, ``<data>/king``).
    """
    placed = []
    for name in ("cichy118", "king"):
        target = Path(data_dir) / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(standins.manual / name, target)
        placed.append(target)
    return placed


# ---------------------------------------------------------------------------------------
# The loopback server


class _Handler(http.server.BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _resolve(self) -> Path | None:
        root = self.server.root.resolve()
        path = (root / unquote(urlparse(self.path).path).lstrip("/")).resolve()
        if root not in path.parents or not path.is_file():
            return None
        return path

    def do_HEAD(self) -> None:  # noqa: N802 - the http.server naming
        self._serve(body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        path = self._resolve()
        self.server.requests.append(self.path)
        if path is None:
            self.send_error(404, "not a stand-in file")
            return
        data = path.read_bytes()
        fault = self.server.faults.get(self.path)
        declared = len(data)
        if fault == "truncate":
            data = data[: len(data) // 2]
            declared = len(data)  # a consistent but short file, as a broken mirror serves it
        elif fault == "alter":
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
        elif fault == "cut":
            data = data[: len(data) // 2]  # announces the full length, then hangs up
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        if body:
            self.wfile.write(data)
            if fault == "cut":
                self.close_connection = True


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = Path(root)
        self.faults: dict[str, str] = {}
        self.requests: list[str] = []


class StandinServer:
    """A loopback HTTP server (127.0.0.1, ephemeral port, own thread) for the stand-ins.

    Use as a context manager; it stops on exit. ``fault(url, kind)`` makes it serve one
    address broken: ``"truncate"`` (half the file, honest length), ``"alter"`` (one byte
    flipped) or ``"cut"`` (full length announced, connection closed half-way).

    Args:
        www: The folder to serve (:attr:`Standins.www`).
    """

    def __init__(self, www: str | os.PathLike):
        self._server = _Server(Path(www))
        self._thread = threading.Thread(target=self._server.serve_forever, name="standin-server", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[str]:
        """Paths requested so far, in order."""
        return list(self._server.requests)

    def fault(self, url: str, kind: str) -> None:
        """Serve the public address ``url`` broken in the given way (see :data:`FAULTS`)."""
        if kind not in FAULTS:
            raise ValueError(f"Unknown fault {kind!r}; choose one of {FAULTS}.")
        self._server.faults[_www_path(url)] = kind

    def clear_faults(self) -> None:
        self._server.faults.clear()

    def stop(self) -> None:
        """Stop serving and free the port (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()

    def __enter__(self) -> "StandinServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def check_standins(standins: Standins) -> None:
    """Verify that every served file still has the sha256 it was built with.

    Raises:
        DataError: a file is missing or changed; names it and the expected hash.
    """
    for url, expected in standins.files.items():
        path = standins.path_of(url)
        if not path.is_file():
            raise DataError(f"Stand-in {path} for {url} is missing; build the stand-ins again.")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise DataError(f"Stand-in {path} for {url} has sha256 {actual}, expected {expected}.")
