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

RESOURCES: dict[str, Resource] = {
    "things/triplet_dataset": Resource(
        path="things/triplet_dataset",
        url="https://osf.io/n9u4a/download",
        archive="zip",
        description="THINGS odd-one-out triplets, 4.70 M rows (Hebart et al. 2023), zip",
        manual=_THINGS_HAND,
    ),
    "things/images_cc0": Resource(
        path="things/images_cc0",
        url="https://osf.io/wb36u/download",
        archive="zip",
        password="things4all",
        description="THINGSplus public-domain images, one per concept (Stoinski et al. 2023), zip",
        manual=_THINGS_HAND,
    ),
    "things/images": Resource(
        path="things/images",
        url="https://things-initiative.org/uploads/THINGS/images.zip",
        archive="zip",
        password="things4all",
        description="THINGS database images, 26k photos (Hebart et al. 2019), zip",
        manual=_THINGS_HAND,
    ),
    "things/spose_embedding_66d_sorted.txt": Resource(
        path="things/spose_embedding_66d_sorted.txt",
        url="https://osf.io/nfbp3/download",
        description="SPoSE 66-d embedding of the THINGS concepts (Hebart et al. 2020)",
    ),
    "things/spose_unique_id.txt": Resource(
        path="things/spose_unique_id.txt",
        url="https://osf.io/7zuah/download",
        description="row order (uniqueID) of the SPoSE 66-d embedding",
    ),
    "things/spose_dimension_labels.txt": Resource(
        path="things/spose_dimension_labels.txt",
        url="https://osf.io/ydxus/download",
        description="human labels of the SPoSE 66 dimensions",
    ),
    "things/triplets/train_90.npy": Resource(
        path="things/triplets/train_90.npy",
        url=None,
        description="official 90 % training split of THINGS triplets (N x 3, odd one out last)",
        manual="Copy it from the data release of the paper's official code "
        "(LukasMut/human_alignment) into the data folder under things/triplets/.",
    ),
    "things/triplets/test_10.npy": Resource(
        path="things/triplets/test_10.npy",
        url=None,
        description="official 10 % test split of THINGS triplets (N x 3, odd one out last)",
        manual="Copy it from the data release of the paper's official code "
        "(LukasMut/human_alignment) into the data folder under things/triplets/.",
    ),
    "cichy118": Resource(
        path="cichy118",
        folder=True,
        url=None,
        description="multi-arrangement data set, 118 images (Cichy et al. 2019)",
        manual="Place the 118 images in cichy118/images/ (sorted file names give the order) and "
        "the judgements as cichy118/sim_judgements/judgments_general.mat (key 'judgments').",
    ),
    "king": Resource(
        path="king",
        folder=True,
        url=None,
        description="free-arrangement data sets set1/set2 (King et al. 2019)",
        manual="Place the images in king/images/set1 and king/images/set2 and the judgements as "
        "king/sim_judgements/BEHAVIOR.mat (BEHAVIOR.set1.pairwisedistances, ...).",
    ),
    "peterson": Resource(
        path="peterson",
        folder=True,
        url=None,
        description="Peterson et al. (2018) similarity data, six domains x 120 images",
        manual="Place each domain as peterson/<domain>/images/ and one .mat file whose key "
        "contains 'sim' under peterson/<domain>/ (domains: animals, automobiles, fruits, "
        "furniture, various, vegetables).",
    ),
    "cifar100": Resource(
        path="cifar100",
        url="https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
        archive="tar.gz",
        md5="eb9058c3a382ffc7106e4002c42a8d85",  # published on the CIFAR page
        description="CIFAR-100, python version (Krizhevsky 2009)",
    ),
}
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
