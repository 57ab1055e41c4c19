"""Compute, before any chapter runs, what the chapters read: every model's features and
per-unit scores, with the CPU cores kept busy.

A book build spends most of its time in per-model work that does not depend on other
models: extracting features (on the THINGS photos and on every human data set's images),
fitting the THINGS probe and scoring the model on each data set. :func:`prepare` runs that
work for the models of a profile in parallel worker processes, one model per job, each
worker on one thread (two single-threaded processes keep two cores busier than one process
with two threads: small convolutions, the probe's matrices and the Python between them do
not split well over threads). Every result goes into the content-keyed caches, so the
chapters, and a second build, only read it. The shared tables (:func:`~.runs.evaluate`,
:func:`~.runs.human_baselines`) are then computed once, in this process, before the chapters
run side by side.

The longest jobs are started first (largest input images, then most parameters), so that the
last job to finish is a short one.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import datasets
from ..config import Settings, workers as config_workers
from ..profiles import Profile
from ..registry import UNTRAINED, ModelSpec
from .choices import prepare_choices
from .human_data import load_study_data
from .dimension_accuracy import evaluate_concepts
from .rsa_results import available_sets, evaluate_rsa
from .runs import evaluate, human_baselines
from ..features import cache_path
from .scores import (features_for, layers_of, matrix_scores, ridge_scores, specs_of, things_scores,
                     things_scores_stored, two_way_resamples)

__all__ = ["PreparedTimes", "default_workers", "is_prepared", "prepare", "prepare_model"]

@dataclass
class PreparedTimes:
    """Where the time of :func:`prepare` went.

    Attributes:
        extraction: Seconds of feature extraction per model (all its image sets and layers).
        probe: Seconds of probe fitting and scoring per model.
        tables: Seconds spent on the shared tables after the models.
        wall: Seconds from start to end.
        workers: Worker processes used.
    """

    extraction: dict[str, float] = field(default_factory=dict)
    probe: dict[str, float] = field(default_factory=dict)
    tables: float = 0.0
    wall: float = 0.0
    workers: int = 1

    def as_dict(self) -> dict:
        return {"extraction": self.extraction, "probe": self.probe, "tables": self.tables, "wall": self.wall,
                "workers": self.workers}


def default_workers() -> int:
    """Worker processes for :func:`prepare`: :func:`humanalign.config.workers`
    (``HUMANALIGN_WORKERS``, or the CPU cores, at most 8)."""
    return config_workers()


def _cost(spec: ModelSpec) -> float:
    """A rough relative cost of one model's job, to start the long ones first."""
    size = (spec.input_size or 224) / 224
    return size * size * (1.0 + (spec.params or 5e6) / 5e6)


def _matrix_sets(profile: Profile, cfg: Settings | None) -> list:
    """Every set of human matrices a model's work covers: the profile's RSA sets, then the brain's."""
    found, _missing = available_sets(profile, cfg)
    brain = [datasets.load_dataset("matrices", name, cfg) for name in datasets.dataset_names("matrices", role="brain")]
    return [*found, *brain]


def is_prepared(profile: Profile, spec: ModelSpec, cfg: Settings | None = None) -> bool:
    """Whether the costly part of :func:`prepare_model` is in the caches already: the model's
    features on every image set it reads and its THINGS probe (checked without computing)."""
    data = load_study_data(profile, cfg)
    image_sets = (data.stimuli, *(m.stimuli for m in _matrix_sets(profile, cfg)))
    for layer in layers_of(spec, profile):
        for stimuli in image_sets:
            if not cache_path(spec, stimuli, layer).is_file():
                return False
        if not things_scores_stored(profile, spec, layer, cfg):
            return False
    return True


def prepare_model(profile: Profile, spec: ModelSpec, cfg: Settings | None = None) -> tuple[str, float, float]:
    """Everything per-model that the chapters read, computed into the caches.

    Returns:
        ``(model id, extraction seconds, probe and scoring seconds)``.
    """
    data = load_study_data(profile, cfg)
    matrix_sets = _matrix_sets(profile, cfg)
    start = time.perf_counter()
    for layer in layers_of(spec, profile):
        features_for(spec, layer, profile, data.stimuli)
        for matrices in matrix_sets:
            features_for(spec, layer, profile, matrices.stimuli)
    extracted = time.perf_counter()
    for layer in layers_of(spec, profile):
        things_scores(profile, spec, layer, cfg)
    if spec.training_data != UNTRAINED and "penultimate" in layers_of(spec, profile):
        ridge_scores(profile, spec, "penultimate", cfg)
    for matrices in matrix_sets:
        if "penultimate" in layers_of(spec, profile):
            scores = matrix_scores(profile, spec, "penultimate", matrices, cfg)
            if matrices.rdms is not None:
                # The model's resamples on people and images, before and after the probe, and
                # on the images alone (the image source of a small-sample interval).
                both = np.stack([scores.rdm("cosine"), scores.rdm("probed")])
                for people in (True, False):
                    two_way_resamples(both, matrices.rdms, profile.n_boot, profile.seed, cfg, resample_people=people)
    # What the robustness tables read: the 92 images resized whole, and the resamples of the
    # model's dissimilarities under every alternative way of measuring them.
    prepare_choices(profile, spec, cfg)
    return spec.id, extracted - start, time.perf_counter() - extracted


def _init_worker() -> None:
    # One thread per worker process: the workers share the cores between them (the TF-Lite
    # interpreters follow torch's thread count).
    import torch

    torch.set_num_threads(1)


def prepare(profile: Profile, cfg: Settings | None = None, workers: int | None = None,
            log: Callable[[str], None] | None = print) -> PreparedTimes:
    """Compute every model's features and scores in parallel, then the shared tables.

    Args:
        profile: The profile whose chapters will run.
        cfg: Settings (data and cache folders); the current ones when ``None``. Worker
            processes read the same settings from the environment.
        workers: Worker processes (default :func:`default_workers`); 1 runs everything in
            this process.
        log: Where one line per finished model goes (with the time left, estimated from the
            models done so far); ``None`` for silence.

    Returns:
        The seconds spent per model and phase (:class:`PreparedTimes`).

    Raises:
        The first error of any model's job (a missing file, a damaged image, ...), named.
    """
    say = log or (lambda _line: None)
    start = time.perf_counter()
    specs = sorted(specs_of(profile), key=_cost, reverse=True)
    workers = max(1, min(workers or default_workers(), len(specs) or 1))
    times = PreparedTimes(workers=workers)
    load_study_data(profile, cfg)  # fail here, once, on missing data
    done = 0

    def record(result: tuple[str, float, float]) -> None:
        nonlocal done
        model, extract_s, probe_s = result
        times.extraction[model], times.probe[model] = extract_s, probe_s
        done += 1
        elapsed = time.perf_counter() - start
        left = elapsed / done * (len(specs) - done)
        say(f"humanalign: [{done}/{len(specs)}] {model}: features {extract_s:.1f} s, probe and scores "
            f"{probe_s:.1f} s (about {left:.0f} s left)")

    # Models whose features and probe are cached need only reads: starting worker processes
    # (each importing torch) would cost more than it saves, so they run here.
    pending = [spec for spec in specs if not is_prepared(profile, spec, cfg)]
    workers = min(workers, max(1, len(pending)))
    times.workers = workers
    if workers > 1:
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker) as pool:
            futures = [pool.submit(prepare_model, profile, spec, cfg) for spec in pending]
            try:
                for future in concurrent.futures.as_completed(futures):
                    record(future.result())
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    for spec in specs:
        if workers == 1 or spec not in pending:
            record(prepare_model(profile, spec, cfg))
    tables = time.perf_counter()
    evaluate(profile, cfg)
    human_baselines(profile, cfg)
    evaluate_rsa(profile, cfg)
    evaluate_concepts(profile, cfg=cfg)
    times.tables = time.perf_counter() - tables
    times.wall = time.perf_counter() - start
    return times
