"""The one registry of data sets: name -> kind, loader and what it is.

Every data set the study, the command line or a profile names is one row of
:data:`DATASETS`, and the study reads every data set through it. Seven kinds:

``stimuli``
    A list of images, the rows of every feature matrix (:class:`~.types.Stimuli`); its name
    is the stimulus set's :attr:`~.types.Stimuli.name` and part of every feature cache key.
``triplets``
    Odd-one-out triplets over a stimulus set (:class:`~.types.Triplets`): what a profile
    fits its probe on. The row names its stimulus set (``stimuli``; the image choice may pick
    another, :func:`stimulus_set`) and says whether its choices are ``simulated``; its loader
    takes ``n_triplets``, ``seed`` and the ``stimuli`` as options.
``answers``
    People's real, repeated answers to triplets (:class:`~.things.NoiseCeilingTrials`): what
    every THINGS verdict is decided on; ``unit`` names what their intervals resample.
``matrices``
    Human (dis)similarity matrices over a stimulus set (:class:`MatrixSet`), scored by RSA:
    one matrix per person where the data give them. ``role`` says who scores it: the
    chapters on behaviour score ``always`` (and ``arrangements`` on request); ``brain``
    rows (fMRI matrices of a brain region, e.g. ``rsa92-brain``) are read only by the
    chapter on behaviour and brain.
``embedding``
    A human embedding of the 1854 THINGS concepts ((1854, d) array), scored as a baseline.
``references``
    Reference models of a stimulus set (:class:`~.rsa92_models.Rsa92Models`), drawn beside
    the networks.
``tables``
    Tables that describe the concepts (the THINGS concept list, its categories, the reviewed
    names of the VICE dimensions), as data frames.

Adding a data set is one module with its loader and one row here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..config import Settings
from .arrangements import load_cichy118, load_king
from .demo import load_demo_stimuli, load_demo_triplets
from .peterson import PETERSON_DOMAINS, load_peterson
from .rsa92 import load_rsa92
from .rsa92_brain import load_rsa92_brain
from .rsa92_models import load_rsa92_models
from .things import load_category_matrix, load_concepts, load_images, load_noise_ceiling_trials, load_spose
from .things import load_triplets, load_vice
from .vice_dimensions import load_vice_dimensions
from .types import HumanMatrix, Stimuli, Triplets

__all__ = [
    "DATASETS",
    "IMAGE_SETS",
    "KINDS",
    "DataSet",
    "MatrixSet",
    "dataset",
    "dataset_names",
    "load_dataset",
    "load_stimuli",
    "stimulus_set",
]

KINDS = ("stimuli", "triplets", "answers", "matrices", "embedding", "references", "tables")
#: The image choices of each ``triplets`` data set, the first the default. ``things``: the
#: THINGS database image each concept was shown with in the odd-one-out task, or the
#: THINGSplus public-domain photo (a deviation). ``things-demo``: the THINGS database photo
#: of each of the 1849 concepts the demo has one for.
IMAGE_SETS = {"things": ("things", "cc0"), "things-demo": ("things",)}
#: The stimulus set of each (triplets data set, image choice).
_IMAGE_STIMULI = {("things", "things"): "things", ("things", "cc0"): "things-cc0",
                  ("things-demo", "things"): "things-demo"}
#: When a profile scores a ``matrices`` data set: ``always`` (real data in every profile),
#: ``arrangements`` (the paper's hand-placed sets, with ``transfer: arrangements``) or
#: ``brain`` (brain measurements, compared with behaviour in their own chapter only).
ROLES = ("always", "arrangements", "brain")


@dataclass(frozen=True, eq=False)
class MatrixSet:
    """One human data set of (dis)similarity matrices over a stimulus set.

    Attributes:
        name: Data set name (``rsa92``, ``cichy118``, ...).
        stimuli: Its images, in the order of the matrices.
        human: The group's mean matrix.
        rdms: (p, n, n) each person's dissimilarities, or ``None`` when only the mean is public.
        sessions: (p, s, n, n) each person's matrix in each session, where people were
            measured more than once (brain data), else ``None``.
    """

    name: str
    stimuli: Stimuli
    human: HumanMatrix
    rdms: np.ndarray | None = None
    sessions: np.ndarray | None = None


@dataclass(frozen=True)
class DataSet:
    """One row of the registry.

    Attributes:
        name: The name profiles, tables and the command line use.
        kind: One of :data:`KINDS`.
        load: ``load(cfg, **options)`` -> the data (see the module docstring for each kind's type).
        description: What it is, in one line.
        stimuli: For ``triplets``, ``matrices`` and ``references``: the stimulus set their
            indices refer to.
        role: For ``matrices``: one of :data:`ROLES`.
        label: Short label for tables and pages (embeddings: ``VICE 42-d``; human data: whose
            judgements they are).
        unit: For human data (``answers``, ``matrices``): what an interval on it resamples.
        simulated: For ``triplets``: the choices were sampled from a model, not made by people.
    """

    name: str
    kind: str
    load: Callable[..., Any]
    description: str
    stimuli: str = ""
    role: str = ""
    label: str = ""
    unit: str = ""
    simulated: bool = False


def _rsa92(cfg: Settings | None) -> MatrixSet:
    data = load_rsa92(cfg)
    return MatrixSet("rsa92", data.stimuli, data.mean_rdm, data.rdms)


def _rsa92_brain(cfg: Settings | None) -> MatrixSet:
    brain = load_rsa92_brain(cfg)
    stimuli = load_rsa92(cfg).stimuli
    human = HumanMatrix(brain.grand_mean(), stimuli.ids, "dissimilarity",
                        f"{brain.region} fMRI, mean of {len(brain.subjects)} people x {len(brain.sessions)} sessions")
    # One matrix per person: the mean of that person's sessions.
    return MatrixSet("rsa92-brain", stimuli, human, brain.per_subject(), brain.rdms)


def _pair(name: str, loader: Callable[[Settings | None], tuple[Stimuli, HumanMatrix]]) -> Callable:
    def load(cfg: Settings | None) -> MatrixSet:
        stimuli, human = loader(cfg)
        return MatrixSet(name, stimuli, human, None)
    return load


def _subsample(triplets: Triplets, n: int | None, seed: int) -> Triplets:
    """A seeded subsample of ``n`` triplets (all of them when ``n`` is ``None`` or larger)."""
    if n is None or n >= len(triplets):
        return triplets
    keep = np.sort(np.random.default_rng(seed).choice(len(triplets), n, replace=False))
    return Triplets(triplets.indices[keep], triplets.n_objects, source=f"{triplets.source} (seeded subsample of {n})")


def _things_triplets(cfg: Settings | None, n_triplets: int | None = None, seed: int = 0,
                     stimuli: Stimuli | None = None) -> Triplets:
    # The real release indexes all 1854 concepts: the stimuli are the concepts in order.
    return _subsample(load_triplets("all", cfg), n_triplets, seed)


def _demo_triplets(cfg: Settings | None, n_triplets: int | None = 100_000, seed: int = 0,
                   stimuli: Stimuli | None = None) -> Triplets:
    return load_demo_triplets(n_triplets=n_triplets, seed=seed, cfg=cfg, stimuli=stimuli)


def _arrangement(name: str, loader: Callable, description: str) -> DataSet:
    return DataSet(name, "matrices", _pair(name, loader), description, stimuli=name, role="arrangements")


_ROWS = [
    DataSet("things-demo", "stimuli", load_demo_stimuli,
            "one THINGS database photo for each of 1849 of the 1854 THINGS concepts (the demo's images)"),
    DataSet("things", "stimuli", lambda cfg: load_images("things", cfg),
            "the THINGS database image of each of the 1854 concepts that people saw"),
    DataSet("things-cc0", "stimuli", lambda cfg: load_images("cc0", cfg),
            "the THINGSplus public-domain photo of each of the 1854 concepts"),
    DataSet("rsa92", "stimuli", lambda cfg: load_rsa92(cfg).stimuli,
            "the 92 object photos of Kriegeskorte et al. (2008)"),
    DataSet("things-demo", "triplets", _demo_triplets,
            "1849 THINGS concepts: people's real choices on them decide, triplets simulated from VICE train "
            "the probe", stimuli="things-demo", simulated=True),
    DataSet("things", "triplets", _things_triplets,
            "1854 THINGS concepts (the images of the odd-one-out task) and the real THINGS triplets (about 4.7 M)",
            stimuli="things"),
    DataSet("things-answers", "answers", load_noise_ceiling_trials,
            "20,000 real answers of 325 people to 1000 THINGS triplets, about 20 each (the noise-ceiling set)",
            label="real people (THINGS odd-one-out)", unit="triplets and people"),
    DataSet("rsa92", "matrices", _rsa92,
            "multi-arrangement judgements of 16 people on the 92 photos (Mur et al. 2013)", stimuli="rsa92",
            role="always", label="92 images (real people)", unit="people and images"),
    DataSet("rsa92-brain", "matrices", _rsa92_brain,
            "human IT fMRI of 4 people (2 sessions each) on the 92 photos (Kriegeskorte et al. 2008)",
            stimuli="rsa92", role="brain", label="92 images (human IT fMRI)", unit="people and images"),
    DataSet("rsa92-models", "references", load_rsa92_models,
            "classic reference models of the 92 photos: category models, monkey IT, image-computable models "
            "(Kriegeskorte et al. 2008)", stimuli="rsa92"),
    DataSet("things-concepts", "tables", load_concepts, "the 1854 THINGS concepts, one row each, in THINGS order"),
    DataSet("things-categories", "tables", load_category_matrix,
            "the 27 high-level THINGS categories of each concept (0/1)"),
    DataSet("vice-dimensions", "tables", load_vice_dimensions,
            "the reviewed names and terms of the 42 VICE dimensions (this package's table)"),
    _arrangement("cichy118", load_cichy118, "multi-arrangement data set, 118 images (Cichy et al. 2019)"),
    _arrangement("king-set1", lambda cfg: load_king("set1", cfg), "free-arrangement data, set 1 (King et al. 2019)"),
    _arrangement("king-set2", lambda cfg: load_king("set2", cfg), "free-arrangement data, set 2 (King et al. 2019)"),
    *[_arrangement(f"peterson-{d}", (lambda d: lambda cfg: load_peterson(d, cfg))(d),
                   f"similarity judgements of 120 {d} images (Peterson et al. 2018)") for d in PETERSON_DOMAINS],
    DataSet("vice_42d", "embedding", load_vice, "VICE embedding (Muttenthaler et al. 2022)", label="VICE 42-d"),
    DataSet("spose_49d", "embedding", lambda cfg: load_spose(49, cfg),
            "the original SPoSE embedding, 49 dimensions (Hebart et al. 2020)", label="SPoSE 49-d"),
    DataSet("spose_14d", "embedding", lambda cfg: load_spose(14, cfg), "SPoSE refit, 14 dimensions",
            label="SPoSE 14-d"),
    DataSet("spose_82d", "embedding", lambda cfg: load_spose(82, cfg), "SPoSE refit, 82 dimensions",
            label="SPoSE 82-d"),
]

#: ``(kind, name)`` -> :class:`DataSet`. A name may denote one data set of each kind (the
#: stimulus set ``rsa92`` and the judgements ``rsa92`` over it).
DATASETS: dict[tuple[str, str], DataSet] = {(row.kind, row.name): row for row in _ROWS}


def dataset_names(kind: str, role: str | None = None) -> tuple[str, ...]:
    """The names of one kind (and role), in registry order."""
    if kind not in KINDS:
        raise ValueError(f"Unknown data set kind {kind!r}; choose one of {KINDS}.")
    return tuple(r.name for r in _ROWS if r.kind == kind and (role is None or r.role == role))


def dataset(kind: str, name: str) -> DataSet:
    """The registry row of a data set.

    Raises:
        ValueError: unknown kind or name (the message lists the known names of that kind).
    """
    names = dataset_names(kind)
    if name not in names:
        raise ValueError(f"Unknown {kind} data set {name!r}; choose one of {', '.join(names)}.")
    return DATASETS[(kind, name)]


def load_dataset(kind: str, name: str, cfg: Settings | None = None, **options: Any) -> Any:
    """Load a data set by kind and name (see the module docstring for what each kind returns).

    Args:
        options: Passed to the loader (``triplets``: ``n_triplets``, ``seed``, ``stimuli``).

    Raises:
        ValueError: unknown kind or name.
        DataError: its files are missing or malformed (the message names them).
    """
    return dataset(kind, name).load(cfg, **options)


def stimulus_set(name: str, images: str | None = None) -> str:
    """The stimulus set a ``triplets`` data set is scored on, given its image choice
    (:data:`IMAGE_SETS`; ``None``: the data set's default)."""
    row = dataset("triplets", name)
    if name not in IMAGE_SETS:
        return row.stimuli
    choice = images or IMAGE_SETS[name][0]
    if choice not in IMAGE_SETS[name]:
        raise ValueError(f"Unknown image set {choice!r} of {name!r}; choose one of {IMAGE_SETS[name]}.")
    return _IMAGE_STIMULI[(name, choice)]


def load_stimuli(name: str, cfg: Settings | None = None) -> Stimuli:
    """The images of a stimulus set by its registry name."""
    return load_dataset("stimuli", name, cfg)
