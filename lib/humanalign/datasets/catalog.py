"""The one vocabulary of data set names, shared by profiles, the command line and the loaders.

Two kinds of name:

* a **study data set** (:data:`STUDY_DATASETS`) is what a profile scores odd-one-out
  accuracy on: a set of concepts with their triplets and human embedding;
* a **stimulus set** (:data:`STIMULUS_SETS`) is a list of images, the rows of every
  feature matrix. Its name is the :attr:`~humanalign.datasets.Stimuli.name` of what
  :func:`load_stimuli` returns and part of every feature cache key, so
  ``humanalign extract --dataset things`` caches exactly the images that a ``things``
  profile scores.

A study data set and its image choice name one stimulus set (:func:`stimulus_set`).
"""

from __future__ import annotations

from ..config import Settings
from .photos import load_photo_stimuli
from .types import Stimuli

__all__ = ["IMAGE_SETS", "STIMULUS_SETS", "STUDY_DATASETS", "load_stimuli", "stimulus_set"]

STUDY_DATASETS = {
    "things-demo": "334 THINGS concepts that are ImageNet-1k classes; triplets simulated from VICE",
    "things": "1854 THINGS concepts (the images of the odd-one-out task) and the real THINGS triplets",
}
#: Image choices of the ``things`` study data set: the THINGS database image each concept
#: was shown with in the odd-one-out task, or the THINGSplus public-domain photo (a deviation).
IMAGE_SETS = ("things", "cc0")
STIMULUS_SETS = {
    "things-demo": "the 334 demo photos, one per THINGS concept that is an ImageNet-1k class",
    "things": "the THINGS database image of each of the 1854 concepts that people saw",
    "things-cc0": "the THINGSplus public-domain photo of each of the 1854 concepts",
    "rsa92": "the 92 object photos of Kriegeskorte et al. (2008)",
    "things-photos": "every THINGS concept with a real photo: 484 THINGSplus CC0 photos and the ImageNet ones (732)",
}


def stimulus_set(dataset: str, images: str = "things") -> str:
    """The stimulus set a study data set is scored on, given its image choice."""
    if dataset not in STUDY_DATASETS:
        raise ValueError(f"Unknown study data set {dataset!r}; choose one of {sorted(STUDY_DATASETS)}.")
    if dataset == "things-demo":
        return "things-demo"
    if images not in IMAGE_SETS:
        raise ValueError(f"Unknown image set {images!r} of {dataset!r}; choose one of {IMAGE_SETS}.")
    return "things" if images == "things" else "things-cc0"


def load_stimuli(name: str, cfg: Settings | None = None) -> Stimuli:
    """The images of a stimulus set, by its name in :data:`STIMULUS_SETS`.

    Raises:
        ValueError: an unknown name (the message lists the known ones).
    """
    from .demo import load_demo_stimuli
    from .rsa92 import load_rsa92
    from .things import load_images

    if name == "things-demo":
        return load_demo_stimuli(cfg)
    if name == "things":
        return load_images("things", cfg)
    if name == "things-cc0":
        return load_images("cc0", cfg)
    if name == "rsa92":
        return load_rsa92(cfg).stimuli
    if name == "things-photos":
        return load_photo_stimuli(cfg)
    raise ValueError(f"Unknown stimulus set {name!r}; choose one of {', '.join(STIMULUS_SETS)}.")
