"""Photos of THINGS concepts in the demo manifest: the THINGS database photos the models see
and the THINGSplus public-domain photos the book may show, each keyed by the concept."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from conftest import needs_mirror
from humanalign.datasets import load_noise_ceiling_trials, noise_ceiling_subset
from humanalign.datasets.demo import load_demo_stimuli
from humanalign.datasets.photos import (
    CC0_PREFIX,
    THINGS_PREFIX,
    cc0_photos,
    concept_photos,
    original_name,
    things_photos,
)
from humanalign.datasets.things import load_concepts
from humanalign.errors import DataError
from humanalign.fetch import Resource
from humanalign.sources import demo_resources

IDS = ("aardvark", "abacus", "acorn")


def _manifest(prefix: str, *names: str) -> dict[str, Resource]:
    rows = {"imagenet/images/n01_x.JPEG": Resource("imagenet/images/n01_x.JPEG", url=None)}
    rows.update({prefix + n: Resource(prefix + n, url=f"https://example.org/x/{n}") for n in names})
    return rows


@pytest.mark.parametrize("prefix, find", [(CC0_PREFIX, cc0_photos), (THINGS_PREFIX, things_photos)])
def test_photos_are_keyed_by_unique_id(prefix, find):
    found = find(_manifest(prefix, "acorn.jpg", "aardvark.JPG"), IDS)
    assert sorted(found) == ["aardvark", "acorn"] and found["acorn"].path == prefix + "acorn.jpg"
    # Each set is read from its own folder only.
    assert concept_photos(_manifest(prefix, "acorn.jpg"), "things/other/", IDS) == {}


@pytest.mark.parametrize("names, message", [
    (("acorn.jpg", "acron.jpg"), r"row '.*/acron.jpg' names no THINGS concept \('acron' is not a uniqueID"),
    (("acorn.txt",), "is not an image file directly in things/images_things/"),
    (("sub/acorn.jpg",), "is not an image file directly in"),
    (("acorn.jpg", "acorn.png"), "are photos of one concept"),
])
def test_photos_refuse_names_that_are_no_concept(names, message):
    with pytest.raises(DataError, match=message):
        things_photos(_manifest(THINGS_PREFIX, *names), IDS)


def test_original_name_is_the_last_part_of_the_address():
    assert original_name(Resource("things/images_things/acorn.jpg", url="https://h/a/b/acorn_01b.jpg")) == "acorn_01b.jpg"
    assert original_name(Resource("things/images_things/acorn.jpg", url=None)) == "acorn.jpg"


@needs_mirror
def test_the_manifest_holds_1849_things_photos_and_484_public_domain_ones():
    ids = load_concepts()["uniqueID"].tolist()
    things, cc0 = things_photos(demo_resources(), ids), cc0_photos(demo_resources(), ids)
    assert len(things) == 1849 and len(cc0) == 484 and set(cc0) <= set(things)
    # Where a photo comes from: two public experiment repositories at pinned commits.
    repos = {r.url.split("/")[3] + "/" + r.url.split("/")[4] for r in things.values()}
    assert repos == {"jobellet/psychophysics", "GasparieL/wm_deepgen_light"}
    assert all(len(r.sha256) == 64 for r in things.values())
    with Image.open(load_demo_stimuli().paths[ids.index("acorn") - 0]) as img:
        assert img.size == (224, 224)


@needs_mirror
def test_the_real_repeated_triplets_that_fall_within_the_demo_concepts():
    trials = noise_ceiling_subset(load_noise_ceiling_trials(), np.array(load_demo_stimuli().labels["concept_index"]))
    assert (len(trials.triplets), trials.n_distinct, trials.triplets.n_objects) == (19794, 989, 1849)
    assert len(np.unique(trials.triplets.participants)) == 325
