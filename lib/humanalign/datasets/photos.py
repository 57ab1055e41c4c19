"""Photos of THINGS concepts listed one per concept in the demo manifest.

Two sets of photos, both listed with their sha256 in the demo manifest and both named
``<prefix><uniqueID>.jpg``:

* the **THINGS database photos** (Hebart et al. 2019) of 1849 of the 1854 concepts
  (``things/images_things/``), from two public experiment repositories at pinned commits:
  for most concepts the image shown in the odd-one-out experiments. They are for academic
  use and are not in the public domain: the study computes with them, and no published page
  shows them.
* the **THINGSplus public-domain (CC0) photos** of Stoinski et al. (2023) for 484 concepts
  (``things/images_cc0_484/``), a subset chosen for a study of children's vocabulary (foods
  and animals are over-represented): the photos the book may show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from ..errors import DataError
from ..fetch import Resource

__all__ = ["CC0_PREFIX", "THINGS_PREFIX", "cc0_photos", "concept_photos", "original_name", "things_photos"]

CC0_PREFIX = "things/images_cc0_484/"
THINGS_PREFIX = "things/images_things/"
MANIFEST = "the package's resources/demo_manifest.tsv"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def concept_photos(resources: Mapping[str, Resource], prefix: str, unique_ids: Sequence[str]) -> dict[str, Resource]:
    """The photos of a manifest under ``prefix``, keyed by the concept's uniqueID.

    Args:
        resources: Manifest rows keyed by path (:func:`~humanalign.sources.demo_resources`).
        prefix: The folder of one photo set, e.g. :data:`THINGS_PREFIX`.
        unique_ids: The THINGS ``uniqueID`` column.

    Returns:
        uniqueID -> resource of its photo, for the concepts that have one.

    Raises:
        DataError: a file under ``prefix`` is not an image named ``<uniqueID>.<ext>`` of a
            THINGS concept, or two files name the same concept.
    """
    known = set(unique_ids)
    found: dict[str, Resource] = {}
    for key, resource in resources.items():
        if not key.startswith(prefix):
            continue
        name = PurePosixPath(key[len(prefix):])
        if len(name.parts) != 1 or name.suffix.lower() not in IMAGE_SUFFIXES:
            raise DataError(f"{MANIFEST}: row {key!r} is not an image file directly in {prefix}.")
        if name.stem not in known:
            raise DataError(
                f"{MANIFEST}: row {key!r} names no THINGS concept ({name.stem!r} is not a uniqueID of "
                "things_concepts.tsv); the photo's file name must be the concept's uniqueID."
            )
        if name.stem in found:
            raise DataError(f"{MANIFEST}: rows {found[name.stem].path!r} and {key!r} are photos of one concept.")
        found[name.stem] = resource
    return found


def cc0_photos(resources: Mapping[str, Resource], unique_ids: Sequence[str]) -> dict[str, Resource]:
    """The THINGSplus public-domain photos of a manifest, keyed by uniqueID."""
    return concept_photos(resources, CC0_PREFIX, unique_ids)


def things_photos(resources: Mapping[str, Resource], unique_ids: Sequence[str]) -> dict[str, Resource]:
    """The THINGS database photos of a manifest, keyed by uniqueID."""
    return concept_photos(resources, THINGS_PREFIX, unique_ids)


def original_name(resource: Resource) -> str:
    """The photo's file name in the THINGS database (the last part of its address, e.g.
    ``aardvark_01b.jpg``), or its own file name when it has no address."""
    source = resource.url or resource.path
    return PurePosixPath(source.split("?", 1)[0]).name
