"""Every THINGS concept that has a real photo in the offline data copy.

Two sources of photos, both listed with their sha256 in the demo manifest:

* the THINGSplus public-domain (CC0) photos of Stoinski et al. (2023) for 484 concepts
  (``things/images_cc0_484/<uniqueID>.jpg``, 300 x 300 px), a subset chosen for a study
  of children's vocabulary, so foods and animals are over-represented;
* one ImageNet-1k photo for each of the 334 concepts whose WordNet ID is an ImageNet-1k
  class (the photos of :func:`~.demo.load_demo_stimuli`).

86 concepts have both, so 732 concepts have a real photo. The stimulus set is named
``things-photos``; the demo's ``things-demo`` stays the 334 ImageNet photos.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from ..config import Settings
from ..errors import DataError
from ..fetch import Resource, fetch
from ..sources import demo_resources
from .demo import load_demo_stimuli
from .things import load_concepts
from .types import IMAGE_SUFFIXES, Stimuli

__all__ = ["CC0_PREFIX", "PHOTO_SOURCES", "cc0_photos", "load_photo_stimuli"]

CC0_PREFIX = "things/images_cc0_484/"
CC0 = "THINGSplus CC0"
IMAGENET = "ImageNet-1k"
PHOTO_SOURCES = (CC0, IMAGENET)
PREFERENCES = {"cc0": CC0, "imagenet": IMAGENET}
MANIFEST = "the package's resources/demo_manifest.tsv"


def cc0_photos(resources: Mapping[str, Resource], unique_ids: Sequence[str]) -> dict[str, Resource]:
    """The THINGSplus CC0 photos of a manifest, keyed by the concept's uniqueID.

    Args:
        resources: Manifest rows keyed by path (:func:`~humanalign.sources.demo_resources`).
        unique_ids: The THINGS ``uniqueID`` column.

    Returns:
        uniqueID -> resource of its photo, for the concepts that have one.

    Raises:
        DataError: a file under :data:`CC0_PREFIX` is not an image named ``<uniqueID>.<ext>``
            of a THINGS concept, or two files name the same concept.
    """
    known = set(unique_ids)
    found: dict[str, Resource] = {}
    for key, resource in resources.items():
        if not key.startswith(CC0_PREFIX):
            continue
        name = PurePosixPath(key[len(CC0_PREFIX):])
        if len(name.parts) != 1 or name.suffix.lower() not in IMAGE_SUFFIXES:
            raise DataError(f"{MANIFEST}: row {key!r} is not an image file directly in {CC0_PREFIX}.")
        if name.stem not in known:
            raise DataError(
                f"{MANIFEST}: row {key!r} names no THINGS concept ({name.stem!r} is not a uniqueID of "
                "things_concepts.tsv); the photo's file name must be the concept's uniqueID."
            )
        if name.stem in found:
            raise DataError(f"{MANIFEST}: rows {found[name.stem].path!r} and {key!r} are photos of one concept.")
        found[name.stem] = resource
    return found


def load_photo_stimuli(cfg: Settings | None = None, prefer: str = "cc0") -> Stimuli:
    """Every THINGS concept with a real photo, one photo each, in THINGS concept order.

    Args:
        cfg: Settings (data folder, mirrors); the current ones when ``None``.
        prefer: Which photo a concept with both gets: ``"cc0"`` (the THINGSplus photo) or
            ``"imagenet"``.

    Returns:
        Stimuli named ``"things-photos"`` (ids: THINGS ``uniqueID``) with labels
        ``concept_index`` (row in the 1854 concepts), ``source`` (``"THINGSplus CC0"`` or
        ``"ImageNet-1k"``), ``wnid`` and ``imagenet_index`` (the ImageNet-1k class; ``""``
        and -1 for a concept that is no ImageNet class).

    Raises:
        ValueError: an unknown ``prefer``.
        DataError: a photo is missing or altered, or the manifest names a CC0 photo after
            no THINGS concept.
    """
    if prefer not in PREFERENCES:
        raise ValueError(f"Unknown photo preference {prefer!r}; use one of {sorted(PREFERENCES)}.")
    ids = load_concepts(cfg)["uniqueID"].tolist()
    cc0 = cc0_photos(demo_resources(), ids)
    demo = load_demo_stimuli(cfg)
    imagenet = {
        int(row): (path, wnid, int(cls))
        for row, path, wnid, cls in zip(demo.labels["concept_index"], demo.paths, demo.labels["wnid"],
                                        demo.labels["imagenet_index"])
    }
    rows = []
    for i, uid in enumerate(ids):
        if uid not in cc0 and i not in imagenet:
            continue
        source = CC0 if uid in cc0 and (i not in imagenet or PREFERENCES[prefer] == CC0) else IMAGENET
        path = fetch(cc0[uid], cfg) if source == CC0 else imagenet[i][0]
        wnid, cls = imagenet[i][1:] if i in imagenet else ("", -1)
        rows.append((i, uid, path, source, wnid, cls))
    return Stimuli(
        name="things-photos",
        ids=tuple(r[1] for r in rows),
        paths=tuple(r[2] for r in rows),
        labels={
            "concept_index": tuple(r[0] for r in rows),
            "source": tuple(r[3] for r in rows),
            "wnid": tuple(r[4] for r in rows),
            "imagenet_index": tuple(r[5] for r in rows),
        },
    )
