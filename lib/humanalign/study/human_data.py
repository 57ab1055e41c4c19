"""What a profile's run scores models against: stimuli, the triplets the probe is fitted
on, people's real repeated answers, and the human embedding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import datasets
from ..config import Settings
from ..profiles import Profile

__all__ = ["ANSWERS", "EMBEDDING", "StudyData", "load_study_data"]


@dataclass(frozen=True, eq=False)
class StudyData:
    """Everything a profile's run scores models against.

    Attributes:
        stimuli: The images, one per concept (row order of every feature matrix).
        triplets: Odd-one-out triplets over the stimuli that the probe is fitted and
            cross-validated on (simulated from VICE in the demo; real ones otherwise).
        vice: (n, 42) VICE embedding rows of the stimuli (human similarity).
        concept_index: (n,) row of each stimulus in the 1854 THINGS concepts.
        trials: People's real answers to the repeated triplets of the THINGS noise-ceiling
            set whose three concepts are all among the stimuli (indices are rows of the
            stimuli; odd one out last; with each answer's person and distinct triplet).
            Every THINGS verdict is decided on these.
    """

    stimuli: Any
    triplets: Any
    vice: np.ndarray
    concept_index: np.ndarray
    trials: Any = None

    @property
    def simulated(self) -> bool:
        """True when the probe's triplets are simulated rather than made by people."""
        return bool(self.triplets.simulated)


_DATA_CACHE: dict[tuple, StudyData] = {}

#: The registry rows every profile reads besides its own data set: people's real answers to
#: THINGS triplets (what the THINGS verdicts are decided on) and the human embedding that
#: labels concepts.
ANSWERS = "things-answers"
EMBEDDING = "vice_42d"


def load_study_data(profile: Profile, cfg: Settings | None = None) -> StudyData:
    """Load the stimuli, triplets, real answers and human embedding a profile names, each
    through the data-set registry (memoised per process)."""
    key = (profile.dataset, profile.images, profile.n_triplets, profile.seed, str(cfg))
    if key in _DATA_CACHE:
        return _DATA_CACHE[key]
    stimuli = datasets.load_stimuli(datasets.stimulus_set(profile.dataset, profile.images), cfg)
    # A stimulus set of some of the concepts says which; the full THINGS sets hold all, in order.
    concept_index = np.asarray(stimuli.labels.get("concept_index", range(len(stimuli))), dtype=np.int64)
    triplets = datasets.load_dataset("triplets", profile.dataset, cfg, n_triplets=profile.n_triplets,
                                     seed=profile.seed, stimuli=stimuli)
    vice = datasets.load_dataset("embedding", EMBEDDING, cfg)[concept_index]
    trials = datasets.noise_ceiling_subset(datasets.load_dataset("answers", ANSWERS, cfg), concept_index)
    data = StudyData(stimuli=stimuli, triplets=triplets, vice=vice, concept_index=concept_index, trials=trials)
    # Shared by every caller of this process (and keyed by content dozens of times): read-only.
    for array in (vice, concept_index, triplets.indices, trials.triplet_id, trials.triplets.indices,
                  trials.triplets.participants):
        if isinstance(array, np.ndarray):
            array.setflags(write=False)
    _DATA_CACHE[key] = data
    return data
