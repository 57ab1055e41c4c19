"""The typed containers reject malformed data with errors that name the source and the problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from humanalign.errors import DataError
from humanalign.datasets.types import (
    _natural_key,
    HumanMatrix,
    Stimuli,
    Triplets,
    check_square,
    check_triplets,
    list_images,
    open_image,
    restrict_triplets,
)


def test_valid_triplets_become_int64():
    arr = check_triplets(np.array([[0, 1, 2], [3, 2, 1]], dtype=np.uint8), 4, "t.npy")
    assert arr.dtype == np.int64 and arr.flags.c_contiguous
    floats = check_triplets(np.array([[0.0, 1.0, 2.0]]), 3, "t.npy")
    assert floats.tolist() == [[0, 1, 2]]


@pytest.mark.parametrize(
    "data, pattern",
    [
        (np.zeros((4, 2), dtype=int), r"t\.npy: triplets must have shape \(N, 3\), got \(4, 2\)"),
        (np.zeros(6, dtype=int), r"t\.npy: .*shape \(N, 3\)"),
        (np.array([[0, 1, 2.5]]), r"t\.npy: triplet row 0 has non-integer"),
        (np.array([[0, 1, np.nan]]), r"t\.npy: triplet row 0 has non-integer"),
        (np.array([["a", "b", "c"]]), r"t\.npy: triplets must be integers"),
        (np.array([[0, 1, 2], [1, 2, 5]]), r"t\.npy: triplet row 1 = \[1, 2, 5\] has an index outside 0\.\.4"),
        (np.array([[0, 1, 2], [-1, 2, 3]]), r"t\.npy: triplet row 1 .*outside"),
        (np.array([[0, 1, 2], [3, 3, 1]]), r"t\.npy: triplet row 1 = \[3, 3, 1\] repeats an object"),
        (np.array([[0, 1, 2], [3, 1, 3]]), r"repeats an object"),
    ],
)
def test_malformed_triplets(data, pattern):
    with pytest.raises(DataError, match=pattern):
        check_triplets(data, 5, "t.npy")
    with pytest.raises(DataError):
        Triplets(data, 5, source="t.npy")


def test_triplets_participants_must_match():
    with pytest.raises(DataError, match="2 participant ids for 1 triplets"):
        Triplets(np.array([[0, 1, 2]]), 3, "t", participants=np.array([1, 2]))
    trip = Triplets(np.array([[0, 1, 2]]), 3, "t", simulated=True)
    assert len(trip) == 1 and trip.simulated


def test_square_matrix_checks():
    assert check_square([[1, 0], [0, 1]], "m").dtype == np.float64
    with pytest.raises(DataError, match=r"m\.mat: expected a square matrix, got shape \(2, 3\)"):
        check_square(np.zeros((2, 3)), "m.mat")
    with pytest.raises(DataError, match="NaN"):
        check_square(np.array([[0, np.nan], [1, 0]]), "m.mat")


def test_human_matrix_must_match_stimuli():
    with pytest.raises(DataError, match=r"sim\.mat: matrix is 3 x 3 but there are 2 stimuli"):
        HumanMatrix(np.eye(3), ("a", "b"), "similarity", "sim.mat")
    with pytest.raises(DataError, match="kind must be"):
        HumanMatrix(np.eye(2), ("a", "b"), "distance", "sim.mat")
    with pytest.raises(DataError, match="square"):
        HumanMatrix(np.ones((2, 1)), ("a", "b"), "similarity", "sim.mat")
    sim = HumanMatrix(np.array([[1.0, 0.2], [0.2, 1.0]]), ("a", "b"), "similarity", "s")
    assert np.array_equal(sim.as_dissimilarity(), -sim.matrix)
    dis = HumanMatrix(np.array([[0.0, 0.2], [0.2, 0.0]]), ("a", "b"), "dissimilarity", "s")
    assert dis.as_dissimilarity() is dis.matrix


def test_stimuli_checks(tmp_path):
    with pytest.raises(DataError, match="2 ids but 1 image paths"):
        Stimuli("s", ("a", "b"), (tmp_path / "a.png",))
    with pytest.raises(DataError, match="id 'a' occurs more than once"):
        Stimuli("s", ("a", "a"), (tmp_path / "1", tmp_path / "2"))
    with pytest.raises(DataError, match="label 'kind' has 1 values for 2"):
        Stimuli("s", ("a", "b"), (tmp_path / "1", tmp_path / "2"), labels={"kind": (1,)})
    assert len(Stimuli("s", ("a",), (tmp_path / "1",))) == 1


def test_open_image_reads_rgb(tmp_path):
    Image.new("L", (5, 4), 7).save(tmp_path / "g.png")
    img = open_image(tmp_path / "g.png")
    assert img.mode == "RGB" and img.size == (5, 4)


def test_unreadable_image_names_the_file(tmp_path):
    bad = tmp_path / "not_an_image.jpg"
    bad.write_bytes(b"this is text, not a JPEG")
    with pytest.raises(DataError, match=r"not_an_image\.jpg.*corrupt or not an image"):
        open_image(bad)
    # A truncated file: the header is fine, the pixels are missing.
    good = tmp_path / "full.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(good)
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[:200])
    with pytest.raises(DataError, match=r"cut\.png"):
        open_image(cut)
    with pytest.raises(DataError, match=r"missing\.png does not exist"):
        open_image(tmp_path / "missing.png")


def test_list_images_natural_order(tmp_path):
    for name in ["10.jpg", "2.jpg", "1.png", ".DS_Store", "notes.txt", "img3.JPEG"]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub.jpg").mkdir()
    assert [p.name for p in list_images(tmp_path)] == ["1.png", "2.jpg", "10.jpg", "img3.JPEG"]
    with pytest.raises(DataError, match="does not exist"):
        list_images(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no image files"):
        list_images(tmp_path / "empty", source="cichy118")


def test_natural_key_reads_numbers_in_any_script_and_breaks_ties_by_name():
    names = ["b\u0661\u0660.png", "b9.png", "b\uff19.png", "b\u00b9.png", "b10.png"]
    ordered = sorted((Path(n) for n in names), key=_natural_key)
    # 9 (ASCII, then full-width by code point) < 10 (ASCII, then Arabic-Indic) < superscript one (text).
    assert [p.name for p in ordered] == ["b9.png", "b\uff19.png", "b10.png", "b\u0661\u0660.png", "b\u00b9.png"]


def test_images_a_verified_folder_does_not_list_are_refused(tmp_path):
    import json

    folder = tmp_path / "unpacked" / "images"
    folder.mkdir(parents=True)
    for name in ("1.png", "2.png"):
        (folder / name).write_bytes(b"x")
    (tmp_path / "unpacked" / ".complete").write_text(json.dumps({"files": {"images/1.png": "0" * 64}}))
    with pytest.raises(DataError, match=r"2\.png was added after its archive was unpacked"):
        list_images(folder)
    (folder / "2.png").unlink()
    assert [p.name for p in list_images(folder)] == ["1.png"]
    # A marker that is not ours (not a JSON listing) does not filter anything.
    (tmp_path / "unpacked" / ".complete").write_text("done")
    (folder / "2.png").write_bytes(b"x")
    assert len(list_images(folder)) == 2


def test_sixteen_bit_greyscale_is_scaled_not_clipped(tmp_path):
    values = np.array([[0, 257, 32896, 65535]], dtype=np.uint16)
    Image.fromarray(values).save(tmp_path / "g16.png")
    pixels = np.asarray(open_image(tmp_path / "g16.png"))
    assert pixels[0, :, 0].tolist() == [0, 1, 128, 255]
    # The rule against a plain loop over every 16-bit value: round(v / 257).
    every = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    Image.fromarray(every).save(tmp_path / "all.png")
    got = np.asarray(open_image(tmp_path / "all.png"))[..., 0].ravel()
    assert got.tolist() == [int(v / 257 + 0.5) for v in range(65536)]


def test_restrict_triplets_matches_loop():
    rng = np.random.default_rng(0)
    n = 20
    trip = np.array([rng.choice(n, 3, replace=False) for _ in range(300)])
    objects = rng.permutation(rng.choice(n, 12, replace=False))  # any order
    fast = restrict_triplets(trip, objects, n)
    pos = {int(o): i for i, o in enumerate(objects)}
    slow = [[pos[int(x)] for x in row] for row in trip if all(int(x) in pos for x in row)]
    assert np.array_equal(fast, np.array(slow).reshape(-1, 3))


def test_stimulus_set_names_follow_the_study_data_set_and_its_images():
    from humanalign.datasets import dataset_names, stimulus_set

    assert stimulus_set("things-demo") == "things-demo"  # the demo's THINGS photos
    assert stimulus_set("things-demo", "things") == "things-demo"
    assert stimulus_set("things", "things") == "things" and stimulus_set("things", "cc0") == "things-cc0"
    assert {"things-demo", "things", "things-cc0"} <= set(dataset_names("stimuli"))
    assert "things-photos" not in dataset_names("stimuli")  # the 732-photo set is retired
    with pytest.raises(ValueError, match="Unknown triplets data set 'imagenet'"):
        stimulus_set("imagenet")
    with pytest.raises(ValueError, match="Unknown image set 'photos' of 'things'"):
        stimulus_set("things", "photos")


def test_every_data_set_the_study_reads_is_a_registry_row_with_its_unit_and_label():
    from humanalign.datasets import dataset, dataset_names

    assert dataset("triplets", "things-demo").simulated and not dataset("triplets", "things").simulated
    answers = dataset("answers", "things-answers")
    assert answers.unit == "triplets and people" and answers.label.startswith("real people")
    assert dataset("matrices", "rsa92").unit == "people and images"
    assert set(dataset_names("tables")) == {"things-concepts", "things-categories", "vice-dimensions"}
    assert dataset_names("references") == ("rsa92-models",)
    # Every row has a loader: nothing is read past the registry.
    from humanalign.datasets import DATASETS

    assert all(callable(row.load) for row in DATASETS.values())
