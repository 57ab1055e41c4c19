"""THINGS loaders: the real offline copy (needs_mirror) and full-format files written here."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from conftest import needs_mirror
from humanalign.config import settings
from humanalign.fetch import record_unpacked
from humanalign.errors import DataError, DataNotFoundError, HashMismatchError
from humanalign.datasets.things import (
    N_CONCEPTS,
    SPOSE_NEGATIVE_TOLERANCE,
    NoiseCeilingTrials,
    load_category_matrix,
    load_concepts,
    load_images,
    load_noise_ceiling_trials,
    load_spose,
    load_triplets,
    load_vice,
    noise_ceiling_subset,
    odd_last,
)
from humanalign.datasets.types import Triplets
from humanalign.measures import odd_one_out_accuracy

CSV_NAME = "triplets_large_final_correctednc_correctedorder.csv"


def odd_last_by_loop(items, choice):
    out = []
    for row, c in zip(items, choice):
        rest = [row[k] for k in range(3) if k != c]
        out.append(rest + [row[c]])
    return np.array(out)


def test_odd_last_matches_plain_loop(rng):
    items = rng.integers(0, 100, (200, 3))
    choice = rng.integers(0, 3, 200)
    assert np.array_equal(odd_last(items, choice, "t"), odd_last_by_loop(items, choice))
    with pytest.raises(DataError, match=r"t\.csv: the chosen position must be 1, 2 or 3 \(row 1"):
        odd_last(items[:3], np.array([0, 3, 1]), "t.csv")



def _repeated_trials(rng, n_objects: int = 30, n_distinct: int = 60, repeats: int = 5) -> NoiseCeilingTrials:
    sets = np.array([rng.choice(n_objects, 3, replace=False) for _ in range(n_distinct)])
    trials = np.concatenate([rng.permuted(sets, axis=1) for _ in range(repeats)])
    ids = np.tile(np.arange(n_distinct), repeats)
    people = rng.integers(0, 9, len(trials))
    return NoiseCeilingTrials(Triplets(trials, n_objects, "toy", participants=people), ids)


def test_noise_ceiling_subset_matches_a_plain_loop(rng):
    full = _repeated_trials(rng)
    concepts = rng.permutation(30)[:18]  # the rows of a stimulus set, in any order
    sub = noise_ceiling_subset(full, concepts)
    row = {int(c): r for r, c in enumerate(concepts)}
    kept = [k for k, t in enumerate(full.triplets.indices) if all(int(x) in row for x in t)]
    expected = [[row[int(x)] for x in full.triplets.indices[k]] for k in kept]
    assert 0 < len(kept) < len(full.triplets)
    assert sub.triplets.indices.tolist() == expected and sub.triplets.n_objects == 18
    assert sub.triplets.participants.tolist() == full.triplets.participants[kept].tolist()
    # Triplet ids: renumbered 0 .. n - 1 in the order of the old ids, equal exactly where the old were.
    old = full.triplet_id[kept]
    assert sub.triplet_id.tolist() == [sorted(set(old)).index(i) for i in old]
    assert sub.n_distinct == len(set(old)) and "18 of 30 concepts" in sub.triplets.source
    assert len(noise_ceiling_subset(full, np.arange(30)).triplets) == len(full.triplets)
    assert len(noise_ceiling_subset(full, [0, 1]).triplets) == 0


@pytest.mark.parametrize("concepts, message", [
    ([[1, 2], [3, 4]], "1-D array of integers"),
    ([1.0, 2.0], "1-D array of integers"),
    ([1, 30], "holds 30, outside 0 .. 29"),
    ([-1, 3], "holds -1, outside"),
    ([4, 5, 4], "names concept 4 twice"),
])
def test_noise_ceiling_subset_refuses_bad_concept_lists(rng, concepts, message):
    with pytest.raises(ValueError, match=message):
        noise_ceiling_subset(_repeated_trials(rng), concepts)

# --- the real offline copy -------------------------------------------------------------


@needs_mirror
def test_concepts_and_category_matrix():
    concepts = load_concepts()
    assert len(concepts) == N_CONCEPTS == 1854
    assert concepts["uniqueID"].is_unique and concepts["uniqueID"].iloc[0] == "aardvark"
    cats = load_category_matrix()
    assert cats.shape == (1854, 27) and set(np.unique(cats.to_numpy())) <= {0, 1}
    assert "animal" in cats.columns and cats["animal"].sum() > 100


@needs_mirror
def test_noise_ceiling_set_has_20k_trials_over_1000_triplets():
    trials = load_noise_ceiling_trials()
    assert len(trials.triplets) == 20_000 and trials.n_distinct == 1000
    assert trials.triplets.n_objects == 1854 and not trials.triplets.simulated
    assert len(np.unique(trials.triplets.participants)) > 1
    counts = np.bincount(trials.triplet_id)
    assert counts.min() >= 10 and counts.sum() == 20_000
    # Trials of one distinct triplet hold the same three concepts.
    t = np.sort(trials.triplets.indices, axis=1)
    first = t[np.argmax(trials.triplet_id[:, None] == np.arange(1000), axis=0)]
    assert np.array_equal(t, first[trials.triplet_id])
    # Majority vote reproduces the published human agreement (67.22 %).
    odd = trials.triplets.indices[:, 2]
    agree = 0
    for k in range(1000):
        votes = np.bincount(odd[trials.triplet_id == k])
        agree += votes.max()
    assert abs(agree / 20_000 - 0.6722) < 0.01


@needs_mirror
def test_human_embeddings():
    vice = load_vice()
    assert vice.shape == (1854, 42) and (vice >= 0).all()
    assert load_spose(14).shape == (1854, 14) and load_spose(82).shape == (1854, 82)
    with pytest.raises(ValueError, match=r"No SPoSE embedding with 50 dimensions; choose one of \[14, 49, 66, 82\]"):
        load_spose(50)


@needs_mirror
def test_spose_49_is_the_original_embedding_and_predicts_the_real_trials():
    emb = load_spose(49)
    assert emb.shape == (1854, 49) and emb.dtype == np.float64
    # Non-negative up to the residue of the fit: 68 entries of the published file lie in (-0.0014, 0).
    assert emb.min() > -SPOSE_NEGATIVE_TOLERANCE and (emb < 0).sum() == 68 and emb.max() > 2
    # Dot-product similarity of the 49-d embedding predicts 0.630 of the 20k repeated trials.
    trials = load_noise_ceiling_trials().triplets
    assert odd_one_out_accuracy(emb, trials, similarity="dot") == pytest.approx(0.63, abs=0.005)
    # Rows in another order predict at chance, so the row order is the THINGS order.
    shuffled = emb[np.random.default_rng(0).permutation(1854)]
    assert odd_one_out_accuracy(shuffled, trials, similarity="dot") < 0.40


@needs_mirror
def test_spose_66_is_reordered_to_concept_order():
    ids = load_concepts()["uniqueID"].tolist()
    data = settings().data_dir / "things"
    data.mkdir(parents=True)
    emb = np.arange(1854 * 66, dtype=float).reshape(1854, 66)
    order = ids[::-1]  # the published file lists the concepts in another order
    np.savetxt(data / "spose_embedding_66d_sorted.txt", emb[::-1])
    (data / "spose_unique_id.txt").write_text("\n".join(order) + "\n")
    assert np.array_equal(load_spose(66), emb)


@needs_mirror
def test_spose_file_with_wrong_width_or_negative_entries_is_refused():
    data = settings().data_dir / "things"
    data.mkdir(parents=True)
    path, record = data / "spose_embedding_66d_sorted.txt", settings().data_dir / "hashes.json"
    np.savetxt(path, np.ones((1854, 65)))
    with pytest.raises(DataError, match=r"spose_embedding_66d_sorted.txt: embedding has 65 dimensions, expected 66"):
        load_spose(66)
    record.unlink()  # the first file's hash was recorded: start afresh
    emb = np.ones((1854, 66))
    emb[7, 3] = -0.005  # within the tolerance: accepted as it is
    np.savetxt(path, emb)
    (data / "spose_unique_id.txt").write_text("\n".join(load_concepts()["uniqueID"]) + "\n")
    assert load_spose(66)[7, 3] == -0.005
    record.unlink()
    emb[1000, 60] = -0.5  # a centred embedding, say
    np.savetxt(path, emb)
    with pytest.raises(DataError, match=r"entry \[1000, 60\] = -0.5 is negative; a SPoSE embedding is non-negative"):
        load_spose(66)


@needs_mirror
def test_images_cc0_and_things_layouts():
    ids = load_concepts()["uniqueID"].tolist()
    buf = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buf, format="PNG")
    png = buf.getvalue()
    cc0 = settings().data_dir / "things" / "images_cc0" / "object_images_CC0"
    cc0.mkdir(parents=True)
    for uid in ids:
        (cc0 / f"{uid}.jpg").write_bytes(png)
    with pytest.raises(DataError, match=r"no \.complete marker"):
        load_images("cc0")  # a folder without its marker may be a half-finished unpacking
    record_unpacked(cc0.parent)
    stim = load_images("cc0")
    assert len(stim) == 1854 and stim.ids == tuple(ids) and stim.paths[1].name == "abacus.jpg"
    things = settings().data_dir / "things" / "images" / "object_images"
    for uid in ids:
        (things / uid).mkdir(parents=True)
        (things / uid / f"{uid}_02s.jpg").write_bytes(png)
        (things / uid / f"{uid}_01b.jpg").write_bytes(png)
        (things / uid / f"{uid}_01a.jpg").write_bytes(png)  # sorts first, but was not shown
    record_unpacked(things.parent)
    stim = load_images("things")
    # The 'b' photo is the one people saw in the odd-one-out task.
    assert stim.paths[0].name == "aardvark_01b.jpg" and len(stim) == 1854
    # The paper code's layout, one <uniqueID>.jpg per concept, takes precedence.
    (things / "aardvark.jpg").write_bytes(png)
    record_unpacked(things.parent)
    assert load_images("things").paths[0].name == "aardvark.jpg"
    (cc0 / "abacus.jpg").unlink()
    with pytest.raises(DataError, match="abacus.jpg is missing"):
        load_images("cc0")  # checked against the recorded files, and no archive to unpack again
    record_unpacked(cc0.parent)
    with pytest.raises(DataError, match="no image for 1 of 1854 concepts \\(e.g. abacus\\)"):
        load_images("cc0")
    with pytest.raises(ValueError, match="'cc0' or 'things'"):
        load_images("thingsplus")


# --- full-format files written by the test ------------------------------------------------


def write_triplet_zip(rows: list[tuple[int, int, int, int]]) -> None:
    table = "image1\timage2\timage3\tchoice\n" + "".join("\t".join(map(str, r)) + "\n" for r in rows)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"triplet_dataset/{CSV_NAME}", table)
    folder = settings().data_dir / "things"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "triplet_dataset.zip").write_bytes(buf.getvalue())


def test_full_release_csv_in_zip():
    write_triplet_zip([(1, 2, 3, 3), (10, 20, 30, 1), (1854, 5, 6, 2)])
    trip = load_triplets("all")
    assert trip.indices.tolist() == [[0, 1, 2], [19, 29, 9], [1853, 5, 4]]
    assert trip.source == CSV_NAME and not trip.simulated
    # The zip is unpacked once; its hash is recorded (no published hash for it).
    assert (settings().data_dir / "things" / "triplet_dataset" / "triplet_dataset" / CSV_NAME).is_file()
    assert "things/triplet_dataset" in (settings().data_dir / "hashes.json").read_text()


def test_full_release_csv_errors():
    write_triplet_zip([(1, 2, 1855, 1)])
    with pytest.raises(DataError, match=rf"{CSV_NAME}: triplet row 0 .*outside 0\.\.1853"):
        load_triplets("all")


def test_full_release_bad_choice():
    write_triplet_zip([(1, 2, 3, 4)])
    with pytest.raises(DataError, match="chosen position must be 1, 2 or 3"):
        load_triplets("all")


def test_official_splits(rng):
    folder = settings().data_dir / "things" / "triplets"
    folder.mkdir(parents=True)
    train = np.array([[0, 1, 2], [1853, 7, 9]])
    np.save(folder / "train_90.npy", train)
    np.save(folder / "test_10.npy", np.array([[4, 5, 6]], dtype=np.int32))
    assert np.array_equal(load_triplets("train").indices, train)
    test = load_triplets("test")
    assert test.indices.tolist() == [[4, 5, 6]] and test.indices.dtype == np.int64
    # A replaced file is refused (its hash was recorded on first use) ...
    np.save(folder / "test_10.npy", np.array([[4, 5, 5]]))
    with pytest.raises(HashMismatchError, match=r"test_10\.npy"):
        load_triplets("test")
    # ... and once the record is cleared, its content is checked.
    record = settings().data_dir / "hashes.json"
    record.unlink()
    with pytest.raises(DataError, match=r"test_10\.npy: triplet row 0 = \[4, 5, 5\] repeats an object"):
        load_triplets("test")
    record.unlink()
    np.save(folder / "test_10.npy", np.arange(8).reshape(2, 4))
    with pytest.raises(DataError, match=r"test_10\.npy: triplets must have shape \(N, 3\)"):
        load_triplets("test")
    record.unlink()
    (folder / "test_10.npy").write_bytes(b"garbage")
    with pytest.raises(DataError, match=r"Could not read .*test_10\.npy"):
        load_triplets("test")
    with pytest.raises(ValueError, match="Unknown THINGS triplet split 'val'"):
        load_triplets("val")


def test_official_split_missing_says_how_to_get_it():
    with pytest.raises(DataNotFoundError, match=r"(?s)train_90\.npy.*LukasMut/human_alignment"):
        load_triplets("train")
