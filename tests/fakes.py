"""A fake model table and pre-seeded feature caches, so that study tests run the real
measures, caches and verdicts without running a network.

The fake models are extra rows of the model table (``HUMANALIGN_EXTRA_MODELS``) of source
``internal`` (never run). Their features are written into the feature cache with
:func:`humanalign.features.save_features` before a test, where the study's ordinary call to
:func:`~humanalign.features.extract_features` finds them: "trained" models see the VICE
embedding plus noise, "untrained" ones pure noise, so accuracies are well above chance or at it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from humanalign import datasets, features
from humanalign.profiles import Profile, make_profile
from humanalign.registry import EXTRA_MODELS_ENV, ModelSpec
from humanalign.study import load_study_data

TRAINED = ("internal/net_small.a", "internal/net_mid.a", "internal/net_big.a")
UNTRAINED_ID = "internal/net_small.untrained"

_COLUMNS = ["id", "source", "arch", "tag", "builder", "family", "params", "imagenet_top1", "top1_source",
            "objective", "objective_detail", "training_data", "precision", "penultimate", "logits",
            "penultimate_dim", "logits_dim", "input_size", "public", "weights_url", "note"]


def _row(model_id: str, params: int, objective: str, data: str, logits: str = "fc", **extra) -> dict:
    source, rest = model_id.split("/")
    arch, tag = rest.rsplit(".", 1)
    return {**{c: "" for c in _COLUMNS}, "id": model_id, "source": source, "arch": arch, "tag": tag,
            "family": "net", "params": str(params), "objective": objective, "training_data": data,
            "penultimate": "pool", "logits": logits, "logits_dim": "1000" if logits else "", "public": "true",
            "note": "fake model of the test suite", **extra}


ROWS = [
    _row(TRAINED[0], 1_000_000, "supervised softmax", "ImageNet-1k"),
    _row(TRAINED[1], 4_000_000, "supervised softmax", "ImageNet-1k"),
    _row(TRAINED[2], 16_000_000, "supervised softmax", "ImageNet-1k", logits=""),
    _row(UNTRAINED_ID, 1_000_000, "none (random init)", "none (untrained)"),
]


def install(folder: Path, monkeypatch, rows: list[dict] = ROWS) -> Path:
    """Write the fake rows as an extra model table and register it for this test."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = Path(folder) / "fake_models.csv"
    path.write_text(buffer.getvalue())
    monkeypatch.setenv(EXTRA_MODELS_ENV, str(path))
    return path


def planted(spec: ModelSpec, layer: str, stimuli: datasets.Stimuli, vice: np.ndarray | None) -> np.ndarray:
    """Features with planted human structure (trained models) or none (untrained ones)."""
    rng = np.random.default_rng(abs(hash((spec.id, layer, stimuli.name))) % 2**32)
    n = len(stimuli)
    if layer == "logits":
        return rng.normal(size=(n, 1000)).astype(np.float32)
    noise = rng.normal(size=(n, 40))
    if "untrained" in spec.id:
        return noise.astype(np.float32)
    if vice is not None:
        return np.hstack([vice * 3, noise * 0.5]).astype(np.float32)
    flags = np.stack([np.asarray(stimuli.labels[k], dtype=float) for k in ("human", "face", "animal", "natural")], 1)
    # As wide as the THINGS features (42 VICE columns), so that the THINGS probe applies.
    return np.hstack([flags * 2, np.zeros((n, 38)), noise * 0.5]).astype(np.float32)


def seed_features(profile: Profile, rsa: bool = True) -> None:
    """Save planted features of every model x layer of ``profile`` on its THINGS stimuli
    (and the 92 images when ``rsa``), where the study's extraction finds them."""
    data = load_study_data(profile)
    sets = [(data.stimuli, data.vice)] + ([(datasets.load_rsa92().stimuli, None)] if rsa else [])
    for spec in profile.specs:
        for layer in profile.layers:
            if layer == "logits" and not spec.logits:
                continue
            for stimuli, vice in sets:
                features.save_features(spec, stimuli, layer, planted(spec, layer, stimuli, vice))


def small_profile(**over) -> Profile:
    """A small demo profile of the fake models (install them first)."""
    values = dict(profile="test", models=[*TRAINED, UNTRAINED_ID], n_triplets=3000, n_boot=50,
                  lambdas=[1e-2], n_folds=2, layers=["penultimate", "logits"], probe_rank=16, check_data=False)
    values.update(over)
    return make_profile(**values)


def planted_result(profile: Profile, evidence, ceiling: float = 0.45):
    """A study result that holds planted evidence for every way of measuring the profile runs.

    Args:
        evidence: ``(specs, on, transformed, choice) -> Evidence`` for the models a way of
            measuring is computed for (every model the book's way, the trained ones otherwise).
        ceiling: The 92-image lower noise ceiling, the same on every resample.
    """
    from humanalign.study import BOOK, StudyResult, alternatives

    models = StudyResult(profile, values={})
    values = {}
    for choice in [BOOK, *alternatives(profile)]:
        specs = list(models.models) if choice == BOOK else models.trained
        for on in ("things", "rsa92"):
            for transformed in (False, True):
                values[("evidence", on, transformed, choice)] = evidence(specs, on, transformed, choice)
        values[("ceiling", choice.statistic)] = (ceiling, np.full(profile.n_boot, ceiling)
                                                 if choice.statistic == "spearman" else None)
    return StudyResult(profile, values=values)
