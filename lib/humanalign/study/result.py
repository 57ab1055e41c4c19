"""The study result of one profile: what every verdict of it reads.

A verdict compares groups of models on human data, and its interval must resample every unit
that was sampled:

* on **THINGS** (odd-one-out accuracy on people's real answers to repeated triplets), the
  distinct triplets and the people together, crossed
  (:func:`humanalign.measures.crossed_bootstrap`);
* on the **92 images** (RSA with 16 people's judgements), the people and the images
  together (:func:`humanalign.measures.rsa_two_way_bootstrap`).

A :class:`StudyResult` holds, for one profile, each model's score on each human data set
with its resamples (an :class:`Evidence`), once for every way of measuring
(:class:`~.choices.Choice`) and for the features before and after the THINGS probe; the
per-answer correctness the concept claim reads; and the 92-image noise ceiling on the same
draws. The draws of a resample depend only on the seed and on the units, never on the models,
so every model of a profile is scored on the same draws: differences between groups are
paired, and so are the scores before and after the probe. The resamples of each model are
content-cached on disk (:func:`~.scores.crossed_resamples`,
:func:`~.scores.two_way_resamples`); a result (one per profile and process,
:func:`study_result`) reads each model's column once, when a reader first asks for that
model, and the verdicts, the robustness tables and the overview read it, whatever subset of
models they compare.

Tests and other studies can plant the values a result holds (``StudyResult(profile,
values={...})``), so a verdict is checked on numbers chosen for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from .. import datasets, measures
from ..config import Settings, settings as current_settings
from ..profiles import Profile
from ..registry import UNTRAINED, ModelSpec
from .choices import BOOK, Choice, rdm_under, things_correct
from .dimension_accuracy import answer_labels, concept_answers, dimension_table
from .human_data import ANSWERS, load_study_data
from .scores import ceiling_resamples, crossed_resamples, matrix_scores, specs_of, things_scores, two_way_resamples

__all__ = ["REAL_THINGS", "UNITS", "ConceptAnswers", "Evidence", "StudyResult", "as_result", "study_result"]

#: What a result can score on -> its registry row (kind, name).
SOURCES = {"things": ("answers", ANSWERS), "rsa92": ("matrices", "rsa92")}
#: What a result can score on, and the units its resamples draw (from the rows).
UNITS = {on: datasets.dataset(*row).unit for on, row in SOURCES.items()}
#: What the THINGS side of a verdict rests on, for the pages (the answers' row label).
REAL_THINGS = datasets.dataset(*SOURCES["things"]).label


@dataclass(frozen=True, eq=False)
class Evidence:
    """Scores of some models on one human data set, with paired bootstrap resamples.

    Attributes:
        on: ``things`` or ``rsa92``.
        unit: What the resamples draw (:data:`UNITS`).
        models: The model ids, one per column.
        point: (M,) each model's score on the data as sampled.
        boot: (B, M) its scores on the B resamples (the same draws for every column).
    """

    on: str
    unit: str
    models: tuple[str, ...]
    point: np.ndarray
    boot: np.ndarray

    def _columns(self, ids: Iterable[str]) -> list[int]:
        ids = list(ids)
        missing = [m for m in ids if m not in self.models]
        if missing:
            raise KeyError(f"No {self.on} evidence for {missing}; it holds {list(self.models)}.")
        return [self.models.index(m) for m in ids]

    def group(self, ids) -> tuple[float, np.ndarray]:
        """The mean score of some of the models: ``(point, (B,) resamples)``."""
        where = self._columns(ids)
        if not where:
            raise ValueError("An empty group of models has no score.")
        return float(self.point[where].mean()), self.boot[:, where].mean(axis=1)

    def select(self, ids) -> "Evidence":
        """The same evidence for some of the models, in the order given (the same draws)."""
        where = self._columns(ids)
        return Evidence(self.on, self.unit, tuple(self.models[i] for i in where), self.point[where],
                        self.boot[:, where])


@dataclass(frozen=True, eq=False)
class ConceptAnswers:
    """The real answers as the concept claim reads them.

    Attributes:
        labels: (N,) the VICE dimension of each answer (:func:`~.concepts.answer_labels`).
        triplet_id: (N,) its distinct triplet; ``people``: (N,) who gave it.
        vice_correct: (N,) whether the VICE embedding's own choice agrees with it.
        dimensions: The dimensions' table (:func:`~.concepts.dimension_table`).
    """

    labels: np.ndarray
    triplet_id: np.ndarray
    people: np.ndarray
    vice_correct: np.ndarray
    dimensions: pd.DataFrame


def _frozen(array) -> np.ndarray:
    out = np.asarray(array)
    out.setflags(write=False)
    return out


class StudyResult:
    """Everything the verdicts of one profile read, each part computed once.

    Evidence and correctness are kept per model column: a verdict that compares a few models
    computes only theirs, and a later reader of more models computes only the columns still
    missing (a column does not depend on the others: every model is scored on the same draws).

    Args:
        profile: The profile (its models, seed and number of resamples).
        cfg: Where the caches are (the current settings by default).
        values: Parts to hold instead of computing them, by key (what tests plant):
            ``("evidence", on, transformed, choice)`` -> :class:`Evidence`;
            ``("correct", transformed, choice)`` -> (N, M) correctness of :meth:`correct`'s
            models; ``("ceiling", statistic)`` -> ``(lower, resamples)``; ``("concepts",)`` ->
            :class:`ConceptAnswers`. A result given ``values`` computes nothing: a part it
            lacks is an error.

    Attributes:
        computed: How many computations this result has made (each part and each batch of
            missing columns counts one).
    """

    def __init__(self, profile: Profile, cfg: Settings | None = None, values: dict[tuple, Any] | None = None):
        self.profile = profile
        self.cfg = cfg
        self.models: tuple[ModelSpec, ...] = tuple(specs_of(profile))
        self._planted = values is not None
        self._parts: dict[tuple, Any] = dict(values or {})
        self.computed = 0

    def __repr__(self) -> str:
        return f"StudyResult({self.profile.name!r}, {len(self.models)} models, {len(self._parts)} parts)"

    @property
    def trained(self) -> list[ModelSpec]:
        """The specs of the trained models (untrained controls left out)."""
        return [s for s in self.models if s.training_data != UNTRAINED]

    def _lacks(self, key: tuple) -> KeyError:
        return KeyError(f"This study result was given its values and holds no {key}; plant it too.")

    def _part(self, key: tuple, compute: Callable[[], Any]) -> Any:
        if key not in self._parts:
            if self._planted:
                raise self._lacks(key)
            self._parts[key] = compute()
            self.computed += 1
        return self._parts[key]

    def _scored(self, choice: Choice) -> list[ModelSpec]:
        """The models a way of measuring is computed for: every model the book's way, the trained
        ones under an alternative (no verdict compares untrained models, and the prepare step
        computes the alternatives for the trained ones only)."""
        return list(self.models) if choice == BOOK else self.trained

    def _wanted(self, models: Iterable[str] | None, choice: Choice) -> list[ModelSpec]:
        """The specs asked for, in the order asked (all that ``choice`` is computed for by default)."""
        scored = {s.id: s for s in self._scored(choice)}
        if models is None:
            return list(scored.values())
        ids = [m if isinstance(m, str) else m.id for m in models]
        unknown = [m for m in ids if m not in scored]
        if unknown:
            raise KeyError(f"No {choice.label!r} scores for {unknown}: this result scores {list(scored)}.")
        return [scored[m] for m in ids]

    def _columns(self, key: tuple, specs: list[ModelSpec], compute: Callable[[list[ModelSpec]], list]) -> list:
        """The per-model entries of a part, computing those still missing in one batch."""
        columns = self._parts.setdefault(key, {})
        missing = [s for s in specs if s.id not in columns]
        if missing:
            if self._planted:
                raise self._lacks(key)
            columns.update(zip([s.id for s in missing], compute(missing)))
            self.computed += 1
        return [columns[s.id] for s in specs]

    def evidence(self, on: str, models: Iterable[str] | None = None, transformed: bool = False,
                 choice: Choice = BOOK) -> Evidence:
        """Each model's score on ``on`` with paired resamples of its units (penultimate layer).

        Args:
            on: ``"things"`` (odd-one-out accuracy on people's real answers, triplets and people
                resampled) or ``"rsa92"`` (mean Spearman RSA over the 16 people, people and
                images resampled).
            models: Model ids (or specs), in the order wanted; all that ``choice`` is computed
                for by default (every model the book's way, the trained ones otherwise).
            transformed: Score the features after the THINGS probe (on THINGS: each answer
                scored by a probe that never saw its objects).
            choice: How alignment is measured (the book's way by default).
        """
        if on not in UNITS:
            raise ValueError(f"Score on one of {sorted(UNITS)}, not {on!r}.")
        if models is not None:
            models = [m if isinstance(m, str) else m.id for m in models]
            if not models:
                raise ValueError("No models to score: pass at least one model.")
        key = ("evidence", on, transformed, choice)
        planted = self._parts.get(key)
        if isinstance(planted, Evidence):
            return planted if models is None else planted.select(models)
        specs = self._wanted(models, choice)
        if not specs:
            raise ValueError(f"No models to score under {choice.label!r}: the profile has none it applies to.")
        columns = self._columns(key, specs, lambda missing: self._compute_evidence(on, missing, transformed, choice))
        point = np.array([c[0] for c in columns], dtype=float)
        boot = np.stack([c[1] for c in columns], axis=1)
        return Evidence(on, UNITS[on], tuple(s.id for s in specs), _frozen(point), _frozen(boot))

    def correct(self, models: Iterable[str] | None = None, transformed: bool = False,
                choice: Choice = BOOK) -> np.ndarray:
        """(N, M) whether each model's odd one out is the person's, for every real answer.

        Args:
            models: Model ids (or specs), in the order wanted; by default the models of
                :meth:`evidence` under ``choice``, in the profile's order.
            transformed: The odd one out of the probe (each answer by a probe that never saw
                its objects) instead of the cosine one.
        """
        key = ("correct", transformed, choice)
        planted = self._parts.get(key)
        if isinstance(planted, np.ndarray):
            scored = [s.id for s in self._scored(choice)]
            return planted if models is None else planted[:, [scored.index(s.id) for s in self._wanted(models, choice)]]
        specs = self._wanted(models, choice)
        columns = self._columns(key, specs, lambda missing: self._compute_correct(missing, transformed, choice))
        if not columns:
            return np.zeros((len(load_study_data(self.profile, self.cfg).trials.triplet_id), 0), dtype=bool)
        return _frozen(np.stack(columns, axis=1))

    def rsa_ceiling(self, statistic: str = "spearman") -> tuple[float, np.ndarray | None]:
        """The lower noise ceiling of the 92-image RSA under ``statistic``, and its resamples on
        the draws of the models' evidence (Spearman only; ``None`` otherwise)."""
        return self._part(("ceiling", statistic), lambda: self._compute_ceiling(statistic))

    def concept_answers(self) -> ConceptAnswers:
        """The real answers with their VICE dimension, triplet and person, and VICE's own
        correctness on them."""
        return self._part(("concepts",), self._compute_concepts)

    # The computations, each from the content-cached scores of :mod:`.scores`.

    def _compute_correct(self, specs: list[ModelSpec], transformed: bool, choice: Choice) -> list[np.ndarray]:
        if transformed and choice.applies_to("things"):
            raise ValueError(f"The probe's choices are scored by the book's measure only, not under {choice.label!r}.")
        if transformed:
            return [_frozen(things_scores(self.profile, s, "penultimate", self.cfg).probed) for s in specs]
        return [_frozen(things_correct(self.profile, s, choice, self.cfg)) for s in specs]

    def _compute_evidence(self, on: str, specs: list[ModelSpec], transformed: bool,
                          choice: Choice) -> list[tuple[float, np.ndarray]]:
        """``(point, (B,) resamples)`` of each model (from the per-column caches of :mod:`.scores`)."""
        if on == "things":
            correct = self.correct(specs, transformed=transformed, choice=choice)
            trials = load_study_data(self.profile, self.cfg).trials
            boot = crossed_resamples(correct, trials.triplet_id, trials.triplets.participants, self.profile.n_boot,
                                     self.profile.seed, self.cfg)
            point = correct.mean(axis=0)
        else:
            data = datasets.load_dataset("matrices", "rsa92", self.cfg)
            if choice.applies_to("rsa92"):
                rdms = np.stack([self._rdm_under(spec, data, choice, transformed) for spec in specs])
            else:
                kind = "probed" if transformed else "cosine"
                rdms = np.stack([matrix_scores(self.profile, s, "penultimate", data, self.cfg).rdm(kind) for s in specs])
            boot = two_way_resamples(rdms, data.rdms, self.profile.n_boot, self.profile.seed, self.cfg,
                                     method=choice.statistic)
            point = measures.rsa_per_person(rdms, data.rdms, choice.statistic).mean(axis=1)
        boot = np.asarray(boot, dtype=float)
        return [(float(p), boot[:, j].copy()) for j, p in enumerate(np.asarray(point, dtype=float))]

    def _rdm_under(self, spec: ModelSpec, data, choice: Choice, transformed: bool) -> np.ndarray:
        rdm = rdm_under(self.profile, spec, data, choice, transformed, self.cfg)
        if rdm is None:  # a preprocessing without a centre crop to leave out keeps its own framing
            rdm = rdm_under(self.profile, spec, data, replace(choice, framing=BOOK.framing), transformed, self.cfg)
        return rdm

    def _compute_ceiling(self, statistic: str) -> tuple[float, np.ndarray | None]:
        people = datasets.load_dataset("matrices", "rsa92", self.cfg).rdms
        lower = float(measures.noise_ceiling_rsa(people, statistic)["lower"])
        if statistic != "spearman":
            return lower, None
        return lower, _frozen(ceiling_resamples(people, self.profile.n_boot, self.profile.seed, self.cfg)[:, 0])

    def _compute_concepts(self) -> ConceptAnswers:
        triplet_id, people, vice_correct = concept_answers(self.profile, self.cfg)
        return ConceptAnswers(_frozen(answer_labels(self.profile, self.cfg)), _frozen(triplet_id), _frozen(people),
                              _frozen(vice_correct), dimension_table(cfg=self.cfg))


# One result per profile and cache folder in this process: every chapter asks the same
# result for its verdicts, tables and charts.
_RESULTS: dict[tuple, StudyResult] = {}


def study_result(profile: Profile, cfg: Settings | None = None) -> StudyResult:
    """The study result of a profile, made once per process (its parts computed when first read)."""
    where = cfg or current_settings()
    key = (profile.key(), profile.layers, str(where.cache_dir), str(where.data_dir))
    if key not in _RESULTS:
        _RESULTS[key] = StudyResult(profile, cfg)
    return _RESULTS[key]


def as_result(study: StudyResult | Profile, cfg: Settings | None = None) -> StudyResult:
    """A verdict's input as a study result: a result as it is, a profile as its
    :func:`study_result`."""
    if isinstance(study, StudyResult):
        return study
    if isinstance(study, Profile):
        return study_result(study, cfg)
    raise TypeError(f"Expected a StudyResult or a Profile, not {type(study).__name__}.")
