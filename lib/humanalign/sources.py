"""The registry of every file the project can fetch.

Two groups:

* the demo files, listed with size, sha256 and public address in
  ``resources/demo_manifest.tsv`` (a copy of the manifest of the offline data set);
* the full THINGS files, from the public addresses of the THINGS initiative (OSF); their
  hashes are not published, so the first download's hash is recorded and later copies are
  checked against it.

Files without a public address (the arrangement data sets, the official triplet splits)
carry instructions for placing them by hand.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources as _res

from .fetch import Resource

__all__ = ["RESOURCES", "demo_resources", "get_resource", "list_resources"]


@lru_cache(maxsize=1)
def demo_resources() -> dict[str, Resource]:
    """Resources of the offline demo study, keyed by their relative path."""
    text = (_res.files("humanalign") / "resources" / "demo_manifest.tsv").read_text()
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    return {
        row["path"]: Resource(
            path=row["path"], url=row["url"], sha256=row["sha256"], description=row["note"]
        )
        for row in rows
    }


_THINGS_HAND = (
    "The THINGS data are published by the THINGS initiative (https://things-initiative.org, "
    "OSF project f5rn6); see the book's reproducibility page."
)

_SPLIT_HAND = ("Copy it from the data release of the paper's official code (LukasMut/human_alignment) "
               "into the data folder under things/triplets/.")


def _things_zip(path: str, url: str, description: str, password: str | None = None) -> Resource:
    """A zip of the THINGS initiative, unpacked into ``path``."""
    return Resource(path=path, url=url, archive="zip", password=password, description=description,
                    manual=_THINGS_HAND)


def _by_hand(path: str, description: str, manual: str, folder: bool = False) -> Resource:
    """A file or folder with no public address: placed by hand as ``manual`` says."""
    return Resource(path=path, url=None, description=description, manual=manual, folder=folder)


_FULL = [
    _things_zip("things/triplet_dataset", "https://osf.io/n9u4a/download",
                "THINGS odd-one-out triplets, 4.70 M rows (Hebart et al. 2023), zip"),
    _things_zip("things/images_cc0", "https://osf.io/wb36u/download",
                "THINGSplus public-domain images, one per concept (Stoinski et al. 2023), zip", "things4all"),
    _things_zip("things/images", "https://things-initiative.org/uploads/THINGS/images.zip",
                "THINGS database images, 26k photos (Hebart et al. 2019), zip", "things4all"),
    Resource("things/spose_embedding_66d_sorted.txt", "https://osf.io/nfbp3/download",
             description="SPoSE 66-d embedding of the THINGS concepts (Hebart et al. 2020)"),
    Resource("things/spose_unique_id.txt", "https://osf.io/7zuah/download",
             description="row order (uniqueID) of the SPoSE 66-d embedding"),
    Resource("things/spose_dimension_labels.txt", "https://osf.io/ydxus/download",
             description="human labels of the SPoSE 66 dimensions"),
    _by_hand("things/triplets/train_90.npy",
             "official 90 % training split of THINGS triplets (N x 3, odd one out last)", _SPLIT_HAND),
    _by_hand("things/triplets/test_10.npy",
             "official 10 % test split of THINGS triplets (N x 3, odd one out last)", _SPLIT_HAND),
    _by_hand("cichy118", "multi-arrangement data set, 118 images (Cichy et al. 2019)",
             "Place the 118 images in cichy118/images/ (sorted file names give the order) and "
             "the judgements as cichy118/sim_judgements/judgments_general.mat (key 'judgments').", folder=True),
    _by_hand("king", "free-arrangement data sets set1/set2 (King et al. 2019)",
             "Place the images in king/images/set1 and king/images/set2 and the judgements as "
             "king/sim_judgements/BEHAVIOR.mat (BEHAVIOR.set1.pairwisedistances, ...).", folder=True),
    _by_hand("peterson", "Peterson et al. (2018) similarity data, six domains x 120 images",
             "Place each domain as peterson/<domain>/images/ and one .mat file whose key "
             "contains 'sim' under peterson/<domain>/ (domains: animals, automobiles, fruits, "
             "furniture, various, vegetables).", folder=True),
    Resource("cifar100", "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz", archive="tar.gz",
             md5="eb9058c3a382ffc7106e4002c42a8d85",  # published on the CIFAR page
             description="CIFAR-100, python version (Krizhevsky 2009)"),
]
RESOURCES: dict[str, Resource] = {r.path: r for r in _FULL}
RESOURCES.update(demo_resources())


def get_resource(path: str) -> Resource:
    """Look up a registered resource by its relative path."""
    try:
        return RESOURCES[path]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(path, RESOURCES, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"No registered data file {path!r}.{hint}") from None


def list_resources() -> list[Resource]:
    """All registered resources, sorted by path."""
    return [RESOURCES[key] for key in sorted(RESOURCES)]
