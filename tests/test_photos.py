"""Every THINGS concept with a real photo: THINGSplus CC0 where there is one, ImageNet otherwise."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from conftest import needs_mirror
from humanalign.datasets import load_noise_ceiling_trials, load_stimuli, noise_ceiling_subset
from humanalign.datasets.demo import load_demo_stimuli
from humanalign.datasets.photos import CC0_PREFIX, cc0_photos, load_photo_stimuli
from humanalign.datasets.things import load_concepts
from humanalign.errors import DataError
from humanalign.fetch import Resource
from humanalign.sources import demo_resources

IDS = ("aardvark", "abacus", "acorn")


def _manifest(*names: str) -> dict[str, Resource]:
    rows = {"imagenet/images/n01_x.JPEG": Resource("imagenet/images/n01_x.JPEG", url=None)}
    rows.update({CC0_PREFIX + n: Resource(CC0_PREFIX + n, url=None) for n in names})
    return rows


def test_cc0_photos_are_keyed_by_unique_id():
    found = cc0_photos(_manifest("acorn.jpg", "aardvark.JPG"), IDS)
    assert sorted(found) == ["aardvark", "acorn"] and found["acorn"].path == CC0_PREFIX + "acorn.jpg"


@pytest.mark.parametrize("names, message", [
    (("acorn.jpg", "acron.jpg"), r"row '.*/acron.jpg' names no THINGS concept \('acron' is not a uniqueID"),
    (("acorn.txt",), "is not an image file directly in things/images_cc0_484/"),
    (("sub/acorn.jpg",), "is not an image file directly in"),
    (("acorn.jpg", "acorn.png"), "are photos of one concept"),
])
def test_cc0_photos_refuse_names_that_are_no_concept(names, message):
    with pytest.raises(DataError, match=message):
        cc0_photos(_manifest(*names), IDS)


def test_unknown_preference_is_refused_before_any_file_is_read():
    with pytest.raises(ValueError, match=r"Unknown photo preference 'things'; use one of \['cc0', 'imagenet'\]"):
        load_photo_stimuli(prefer="things")


@needs_mirror
def test_732_concepts_have_a_photo_cc0_first_in_concept_order():
    photos = load_photo_stimuli()
    concepts = load_concepts()
    demo = load_demo_stimuli()
    cc0 = cc0_photos(demo_resources(), concepts["uniqueID"].tolist())
    both = set(cc0) & set(demo.ids)
    assert len(cc0) == 484 and len(demo) == 334 and len(both) == 86
    assert len(photos) == 732 == 484 + 334 - 86 and photos.name == "things-photos"
    rows = photos.labels["concept_index"]
    assert list(rows) == sorted(rows) and all(concepts["uniqueID"][r] == uid for r, uid in zip(rows, photos.ids))
    by_id = dict(zip(photos.ids, zip(photos.paths, photos.labels["source"], photos.labels["wnid"],
                                     photos.labels["imagenet_index"])))
    demo_labels = dict(zip(demo.ids, zip(demo.paths, demo.labels["wnid"], demo.labels["imagenet_index"])))
    for uid, (path, source, wnid, cls) in by_id.items():
        assert path.is_file() and isinstance(wnid, str) and isinstance(cls, int)
        if uid in cc0:
            assert source == "THINGSplus CC0" and path.name == f"{uid}.jpg"
        else:
            assert source == "ImageNet-1k" and path == demo_labels[uid][0]
        # The ImageNet class travels with the concept whichever photo it gets.
        assert (wnid, cls) == (demo_labels[uid][1:] if uid in demo_labels else ("", -1))
    with Image.open(by_id["acorn"][0]) as img:
        assert img.size == (300, 300)
    assert load_stimuli("things-photos").ids == photos.ids


@needs_mirror
def test_prefer_imagenet_swaps_only_the_concepts_with_both_photos():
    cc0_first, imagenet_first = load_photo_stimuli(), load_photo_stimuli(prefer="imagenet")
    assert cc0_first.ids == imagenet_first.ids and cc0_first.labels["wnid"] == imagenet_first.labels["wnid"]
    swapped = [a != b for a, b in zip(cc0_first.labels["source"], imagenet_first.labels["source"])]
    assert sum(swapped) == 86
    assert imagenet_first.labels["source"].count("ImageNet-1k") == 334
    assert all(i >= 0 for i, s in zip(imagenet_first.labels["imagenet_index"], imagenet_first.labels["source"])
               if s == "ImageNet-1k")


@needs_mirror
def test_the_real_repeated_triplets_that_fall_within_the_photo_concepts():
    trials = load_noise_ceiling_trials()
    photos = noise_ceiling_subset(trials, np.array(load_photo_stimuli().labels["concept_index"]))
    assert (len(photos.triplets), photos.n_distinct, photos.triplets.n_objects) == (979, 49, 732)
    imagenet = noise_ceiling_subset(trials, np.array(load_demo_stimuli().labels["concept_index"]))
    assert (len(imagenet.triplets), imagenet.n_distinct) == (43, 2)
