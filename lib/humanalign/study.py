"""The study behind the book: profiles, evaluation runs and the verdicts of each chapter.

The notebooks stay thin by calling this module. A **profile** (``notebooks/params/*.yml``)
names the models, the data set and the run settings; :func:`load_profile` checks it at once
(unknown model id, unknown or missing data set, empty model list) so that a bad run fails
before any feature is extracted. The evaluation functions return tidy tables (columns
``model, dataset, layer, measure, value`` plus ``ci_low, ci_high, n``) cached through
:mod:`humanalign.results`, keyed by the profile's content, so that a rebuild reuses them.

Data sets a profile can name:

``things-demo``
    The offline demo: 334 THINGS concepts that are ImageNet-1k classes, one photo each,
    with triplets whose choices are **simulated** from the VICE embedding.
``things``
    The paper's study: the 1854 THINGS concepts and the real odd-one-out triplets of the
    public release, with the image of each concept that people saw in the odd-one-out task
    (``images: things``) or, as a labelled deviation, the THINGSplus public-domain photo
    (``images: cc0``).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from .config import Settings, settings as current_settings
from .datasets.types import restrict_triplets
from .errors import DataError

__all__ = [
    "DATASETS",
    "LAYERS",
    "PROFILE_DIR",
    "Profile",
    "StudyData",
    "Verdict",
    "attach_metadata",
    "concept_correctness",
    "concept_split",
    "data_note",
    "dimension_names",
    "dimension_table",
    "glue_values",
    "glue_verdict",
    "evaluate",
    "evaluate_concepts",
    "evaluate_transfer",
    "headline_table",
    "human_baselines",
    "load_profile",
    "notebook_profile",
    "NOTEBOOK_OVERRIDES",
    "load_study_data",
    "make_profile",
    "model_table",
    "verdict_transfer",
    "probe_convergence",
    "probe_warning",
    "things_probe",
    "wide_accuracy",
]

PROFILE_DIR = Path(__file__).resolve().parents[2] / "notebooks" / "params"
LAYERS = ("penultimate", "logits")
DATASETS = {
    "things-demo": "334 THINGS concepts that are ImageNet-1k classes; triplets simulated from VICE",
    "things": "1854 THINGS concepts (the images of the odd-one-out task) and the real THINGS triplets",
}
# Files whose presence is checked before a run starts (small ones: the check must be quick).
_REQUIRED_FILES = {
    "things-demo": ("things/things_concepts.tsv", "things/vice_embedding_42d.npy", "things/test_triplets.csv"),
    "things": ("things/things_concepts.tsv", "things/vice_embedding_42d.npy", "things/test_triplets.csv"),
}
TRANSFER_MODES = ("heldout-concepts", "arrangements")
#: Image sets of the ``things`` data set: the THINGS database image each concept was shown
#: with in the odd-one-out task, or the THINGSplus public-domain photo (a deviation).
IMAGE_SETS = ("things", "cc0")
UNTRAINED = "none (untrained)"
# Bump when the meaning of a cached table changes, so old caches are not reused.
_CACHE_VERSION = 1


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Profile:
    """The settings of one study run (one book build).

    Attributes:
        name: Profile name (``demo``, ``full`` or the file stem).
        models: Canonical model ids, e.g. ``pypi/efficientnet_lite0.in1k``.
        dataset: A key of :data:`DATASETS`.
        layers: Representations to score, a subset of :data:`LAYERS`.
        n_triplets: Triplets to use (simulated for the demo; a seeded subsample of the real
            ones otherwise); ``None`` for all real triplets.
        seed: Seed of every random choice (triplet simulation, folds, bootstrap, splits).
        device: Torch device, or ``None`` for the configured default.
        batch_size: Images per forward pass.
        n_boot: Bootstrap resamples for confidence intervals.
        lambdas: Probe regularisation grid.
        n_folds: Folds of the probe's cross-validation over objects.
        transfer: ``heldout-concepts`` (fit the probe on part of the concepts, test by RSA
            on the rest against VICE similarity) or ``arrangements`` (the paper's transfer
            to the multi- and free-arrangement data sets).
        train_fraction: Share of concepts the transfer probe is fitted on.
        images: For ``things``: ``things`` (the images people saw) or ``cc0`` (THINGSplus
            public-domain photos, a deviation that every page states).
        probe_max_iter: L-BFGS iterations per probe fit; a fit that stops on this cap is
            reported as such (``probe_*`` rows of :func:`evaluate`) and warned about.
    """

    name: str
    models: tuple[str, ...]
    dataset: str = "things-demo"
    layers: tuple[str, ...] = LAYERS
    n_triplets: int | None = 100_000
    seed: int = 0
    device: str | None = None
    batch_size: int = 32
    n_boot: int = 1000
    lambdas: tuple[float, ...] = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5)
    n_folds: int = 3
    transfer: str = "heldout-concepts"
    train_fraction: float = 2 / 3
    images: str = "things"
    probe_max_iter: int = 100

    @property
    def simulated(self) -> bool:
        """True when the profile's triplets are simulated rather than made by people."""
        return self.dataset == "things-demo"

    def key(self, *fields_: str) -> str:
        """Short content hash of the fields that determine a cached result (all by default)."""
        values = asdict(self)
        chosen = {k: values[k] for k in (fields_ or sorted(values)) if k not in ("name", "device", "batch_size", "images")}
        # The image set matters wherever the data set does, except in the demo (its own photos).
        if "dataset" in chosen and self.dataset != "things-demo":
            chosen["images"] = self.images
        chosen["_v"] = _CACHE_VERSION
        text = json.dumps(chosen, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def make_profile(
    profile: str = "custom",
    models: Iterable[str] = (),
    dataset: str = "things-demo",
    layers: Iterable[str] = LAYERS,
    n_triplets: int | None = 100_000,
    seed: int = 0,
    device: str | None = None,
    batch_size: int = 32,
    n_boot: int = 1000,
    lambdas: Iterable[float] = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5),
    n_folds: int = 3,
    transfer: str = "heldout-concepts",
    train_fraction: float = 2 / 3,
    images: str = "things",
    probe_max_iter: int = 100,
    check_models: bool = True,
    check_data: bool = True,
    cfg: Settings | None = None,
) -> Profile:
    """Build and validate a :class:`Profile` from plain values (a notebook's parameters).

    Raises:
        ValueError: empty model list, unknown data set, layer or transfer mode, or a
            setting out of range; the message names the value and what is allowed.
        KeyError: an unknown model id (the registry's message names the closest ids).
        DataError: a file the data set needs is neither in a mirror nor in the data folder.
    """
    if models == "all":
        # "all" is the plain-literal way for a profile to say: every public registry model.
        models = list(_registry().list_models(public_only=True)["id"])
    elif isinstance(models, str):
        models = [models]
    models = tuple(models or ())
    if not models:
        raise ValueError(
            f"Profile {profile!r} names no models; list at least one model id under 'models' "
            "(see humanalign.registry.list_models())."
        )
    if len(set(models)) != len(models):
        dup = sorted({m for m in models if models.count(m) > 1})
        raise ValueError(f"Profile {profile!r} lists models {dup} more than once.")
    if dataset not in DATASETS:
        raise ValueError(
            f"Profile {profile!r}: unknown data set {dataset!r}; choose one of {sorted(DATASETS)}."
        )
    layers = tuple([layers] if isinstance(layers, str) else layers)
    bad = [x for x in layers if x not in LAYERS] or ([] if layers else ["(none)"])
    if bad:
        raise ValueError(f"Profile {profile!r}: unknown layers {bad}; choose from {list(LAYERS)}.")
    def _whole(key: str, value: object, minimum: int) -> int:
        # bool is an int subclass, and 2.9 must not quietly become 2.
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
            raise ValueError(
                f"Profile {profile!r}: {key} must be a whole number >= {minimum}, got {value!r} "
                f"({type(value).__name__})."
            )
        return int(value)

    def _real(key: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value):
            raise ValueError(f"Profile {profile!r}: {key} must be a finite number, got {value!r} ({type(value).__name__}).")
        return float(value)

    if n_triplets is not None:
        _whole("n_triplets", n_triplets, 100)
    seed = _whole("seed", seed, 0)
    n_folds = _whole("n_folds", n_folds, 2)
    n_boot = _whole("n_boot", n_boot, 1)
    batch_size = _whole("batch_size", batch_size, 1)
    probe_max_iter = _whole("probe_max_iter", probe_max_iter, 1)
    train_fraction = _real("train_fraction", train_fraction)
    if isinstance(lambdas, (int, float, np.number)) and not isinstance(lambdas, bool):
        lambdas = [lambdas]  # a single value is a grid of one
    if isinstance(lambdas, (str, bytes, dict)) or not hasattr(lambdas, "__iter__"):
        raise ValueError(f"Profile {profile!r}: lambdas must be a list of positive numbers, e.g. [0.1, 0.01]; got {lambdas!r}.")
    lambdas = tuple(_real("lambdas", x) for x in lambdas)
    if device is not None:
        from .config import check_device

        check_device(device, f"Profile {profile!r}: device")
    if n_triplets is None and dataset == "things-demo":
        raise ValueError(f"Profile {profile!r}: the demo simulates its triplets, so n_triplets must be a number.")
    if transfer not in TRANSFER_MODES:
        raise ValueError(f"Profile {profile!r}: transfer must be one of {TRANSFER_MODES}, got {transfer!r}.")
    if transfer == "arrangements" and dataset == "things-demo":
        raise ValueError(
            f"Profile {profile!r}: the arrangement data sets are not part of the offline demo; "
            "use transfer: heldout-concepts with dataset things-demo."
        )
    if images not in IMAGE_SETS:
        raise ValueError(f"Profile {profile!r}: images must be one of {IMAGE_SETS}, got {images!r}.")
    if not 0.2 <= float(train_fraction) <= 0.9:
        raise ValueError(f"Profile {profile!r}: train_fraction must lie in [0.2, 0.9], got {train_fraction!r}.")
    if int(n_folds) < 2 or int(n_boot) < 1 or int(batch_size) < 1:
        raise ValueError(
            f"Profile {profile!r}: need n_folds >= 2, n_boot >= 1 and batch_size >= 1 "
            f"(got {n_folds}, {n_boot}, {batch_size})."
        )
    lambdas = tuple(float(x) for x in lambdas)
    if not lambdas or min(lambdas) <= 0:
        raise ValueError(f"Profile {profile!r}: lambdas must be positive numbers, got {lambdas}.")
    if check_models:
        registry = _registry()
        for model_id in models:
            registry.get_spec(model_id)  # raises KeyError naming the closest ids
    if check_data:
        _check_files(dataset, cfg)
    return Profile(
        name=str(profile),
        models=models,
        dataset=dataset,
        layers=layers,
        n_triplets=None if n_triplets is None else int(n_triplets),
        seed=int(seed),
        device=device,
        batch_size=int(batch_size),
        n_boot=int(n_boot),
        lambdas=lambdas,
        n_folds=int(n_folds),
        transfer=transfer,
        train_fraction=float(train_fraction),
        images=images,
        probe_max_iter=int(probe_max_iter),
    )


def _check_files(dataset: str, cfg: Settings | None) -> None:
    from .fetch import fetch
    from .sources import get_resource

    for path in _REQUIRED_FILES[dataset]:
        fetch(get_resource(path), cfg)


def profile_path(name_or_path: str | os.PathLike) -> Path:
    """The YAML file of a profile: a name in ``notebooks/params`` or a path to a file."""
    text = str(name_or_path)
    candidate = Path(text).expanduser()
    if candidate.suffix in {".yml", ".yaml"} or candidate.is_file():
        if not candidate.is_file():
            raise FileNotFoundError(f"Profile file {candidate} does not exist.")
        return candidate
    named = PROFILE_DIR / f"{text}.yml"
    if not named.is_file():
        known = sorted(p.stem for p in PROFILE_DIR.glob("*.yml")) if PROFILE_DIR.is_dir() else []
        raise ValueError(
            f"Unknown profile {text!r}: no file {named}. Known profiles: {known}; or pass the "
            "path of a .yml file."
        )
    return named


def read_profile_params(name_or_path: str | os.PathLike) -> dict[str, Any]:
    """The raw parameters of a profile file (what papermill injects into the notebooks)."""
    import yaml

    path = profile_path(name_or_path)
    try:
        params = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise ValueError(f"Profile file {path} is not valid YAML: {err}") from err
    if not isinstance(params, dict):
        raise ValueError(f"Profile file {path} must hold a mapping of parameter names to values.")
    params.setdefault("profile", path.stem)
    return params


def load_profile(name_or_path: str | os.PathLike, cfg: Settings | None = None, **checks: bool) -> Profile:
    """Read ``notebooks/params/<name>.yml`` (or a path) and validate it.

    Args:
        name_or_path: ``"demo"``, ``"full"`` or the path of a YAML file.
        cfg: Settings for the data check (default: from the environment).
        **checks: ``check_models`` / ``check_data`` set to False to skip those checks.

    Returns:
        The validated profile.

    Raises:
        ValueError: unknown profile, bad YAML, an unknown key or a bad value.
        KeyError: an unknown model id.
        DataError: a needed data file is missing.
    """
    params = read_profile_params(name_or_path)
    _check_keys(params, name_or_path)
    return make_profile(**params, cfg=cfg, **checks)


# The values a notebook's ``parameters`` cell documents besides ``profile``: each ``None``
# there (the profile's value) or overridden with papermill ``-p name value``.
NOTEBOOK_OVERRIDES = ("n_triplets", "seed", "n_boot", "device")
# Names every IPython namespace holds that are not parameters.
_IPYTHON_NAMES = {"In", "Out", "exit", "quit", "get_ipython", "open"}
_PLAIN = (str, int, float, bool, type(None), list, tuple, dict)


def notebook_profile(namespace: dict[str, Any], cfg: Settings | None = None, **checks: bool) -> Profile:
    """The profile a notebook runs with: its ``profile`` parameter plus the documented overrides.

    Called right after the ``parameters`` cell (and papermill's injected one) with
    ``globals()``: every plain value in the namespace at that point is a parameter, so a
    name that is neither ``profile`` nor one of :data:`NOTEBOOK_OVERRIDES` was passed by
    mistake (``papermill -p n_boots 10``) and is refused rather than silently ignored.

    Args:
        namespace: The notebook's globals.
        cfg: Settings for the data check.
        **checks: As for :func:`load_profile`.

    Returns:
        The validated profile with the overrides that are not ``None`` applied.

    Raises:
        ValueError: an unknown parameter (named, with the allowed ones), an unknown profile or
            a bad value (named by :func:`make_profile`).
        KeyError: an unknown model id.
    """
    allowed = {"profile", *NOTEBOOK_OVERRIDES}
    unknown = sorted(
        name for name, value in namespace.items()
        if not name.startswith("_") and name not in _IPYTHON_NAMES and name not in allowed
        and isinstance(value, _PLAIN)
    )
    if unknown:
        raise ValueError(
            f"Unknown notebook parameter(s) {unknown}; a chapter takes 'profile' (a name such as "
            f"'demo' or 'full', or the path of a profile .yml) and the overrides "
            f"{list(NOTEBOOK_OVERRIDES)}. Put any other setting into a copy of the profile file."
        )
    if "profile" not in namespace:
        raise ValueError("The notebook defines no 'profile' parameter; set profile = \"demo\" in its parameters cell.")
    profile = namespace["profile"]
    if not isinstance(profile, (str, os.PathLike)) or not str(profile).strip():
        raise ValueError(f"The notebook parameter profile must be a profile name or a .yml path, got {profile!r}.")
    overrides = {k: namespace[k] for k in NOTEBOOK_OVERRIDES if namespace.get(k) is not None}
    if not overrides:
        return load_profile(profile, cfg, **checks)
    params = read_profile_params(profile)
    params.update(overrides)
    _check_keys(params, profile)
    return make_profile(**params, cfg=cfg, **checks)


def _check_keys(params: dict[str, Any], name_or_path: str | os.PathLike) -> None:
    allowed = set(make_profile.__code__.co_varnames[: make_profile.__code__.co_argcount])
    allowed -= {"check_models", "check_data", "cfg"}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValueError(
            f"Profile {name_or_path!s}: unknown keys {unknown}; allowed keys are {sorted(allowed)}."
        )


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, eq=False)
class StudyData:
    """Everything a profile's run scores models against.

    Attributes:
        stimuli: The images, one per concept (row order of every feature matrix).
        triplets: Odd-one-out triplets over the stimuli (simulated for the demo).
        vice: (n, 42) VICE embedding rows of the stimuli (human similarity).
        concept_index: (n,) row of each stimulus in the 1854 THINGS concepts.
    """

    stimuli: Any
    triplets: Any
    vice: np.ndarray
    concept_index: np.ndarray


_DATA_CACHE: dict[tuple, StudyData] = {}


def load_study_data(profile: Profile, cfg: Settings | None = None) -> StudyData:
    """Load the stimuli, triplets and human embedding a profile names (memoised per process)."""
    from . import datasets

    key = (profile.dataset, profile.images, profile.n_triplets, profile.seed, str(cfg))
    if key in _DATA_CACHE:
        return _DATA_CACHE[key]
    vice_all = datasets.load_vice(cfg)
    if profile.dataset == "things-demo":
        stimuli = datasets.load_demo_stimuli(cfg)
        concept_index = np.asarray(stimuli.labels["concept_index"], dtype=np.int64)
        triplets = datasets.load_demo_triplets(n_triplets=profile.n_triplets, seed=profile.seed, cfg=cfg)
    else:
        stimuli = datasets.load_images(profile.images, cfg)
        concept_index = np.arange(len(stimuli), dtype=np.int64)
        triplets = datasets.load_triplets("all", cfg)
        if profile.n_triplets is not None and profile.n_triplets < len(triplets):
            rng = np.random.default_rng(profile.seed)
            keep = np.sort(rng.choice(len(triplets), profile.n_triplets, replace=False))
            triplets = datasets.Triplets(
                triplets.indices[keep], triplets.n_objects,
                source=f"{triplets.source} (seeded subsample of {profile.n_triplets})",
            )
    data = StudyData(stimuli=stimuli, triplets=triplets, vice=vice_all[concept_index], concept_index=concept_index)
    _DATA_CACHE[key] = data
    return data


def concept_split(n_objects: int, train_fraction: float = 2 / 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Split object indices into a probe-fitting part and a held-out part.

    Returns:
        ``(train, test)``: sorted int64 arrays that partition ``range(n_objects)``.
    """
    if n_objects < 6:
        raise ValueError(f"Need at least 6 objects to split, got {n_objects}.")
    rng = np.random.default_rng(seed)
    order = rng.permutation(n_objects)
    cut = int(round(train_fraction * n_objects))
    cut = min(max(cut, 3), n_objects - 3)
    return np.sort(order[:cut]), np.sort(order[cut:])


# --------------------------------------------------------------------------- library hooks
# The models and measures live in their own modules; looked up at call time so that this
# module imports (and its tests can substitute small fakes) without them.


def _registry():
    from . import registry

    return registry


def _features():
    from . import features

    return features


def _measures():
    from . import measures

    return measures


def _results():
    from . import results

    return results


def _cached(name: str, compute, cfg: Settings | None = None) -> pd.DataFrame:
    """Return the cached result table ``name`` or compute it and cache it."""
    results = _results()
    try:
        return results.load_results(name)
    except DataError:
        pass  # not computed yet, or no longer matching its record or its features
    from .features import record_use

    with record_use() as used:
        table = compute()
    results.save_results(table, name, inputs=used)
    return table


def _layers_of(model_id: str, profile: Profile) -> list[str]:
    spec = _registry().get_spec(model_id)
    # A model published without its classifier (an embedding model) has no logits layer.
    return [layer for layer in profile.layers if layer != "logits" or spec.logits]


def features_for(model_id: str, layer: str, profile: Profile, data: StudyData) -> np.ndarray:
    """(n, d) float32 features of a profile's stimuli (cached by the features module)."""
    return _features().extract_features(
        model_id, data.stimuli, layer=layer, batch_size=profile.batch_size,
        device=profile.device, progress=False,
    )


def _row(model: str, dataset: str, layer: str, measure: str, value: float,
         ci: tuple[float, float] | None = None, n: int | None = None) -> dict[str, Any]:
    return {
        "model": model, "dataset": dataset, "layer": layer, "measure": measure,
        "value": float(value),
        "ci_low": float(ci[0]) if ci else np.nan,
        "ci_high": float(ci[1]) if ci else np.nan,
        "n": np.nan if n is None else int(n),
    }


# --------------------------------------------------------------------------- evaluation


def evaluate(profile: Profile, cfg: Settings | None = None) -> pd.DataFrame:
    """Zero-shot and probed odd-one-out accuracy of every model x layer of a profile.

    Measures (one row each, per model and layer):
        ``zero_shot``: cosine odd-one-out accuracy on all triplets, with a bootstrap CI;
        ``probed``: mean held-out accuracy of the linear probe over the object folds;
        ``zero_shot_heldout``: zero-shot accuracy on the same held-out triplets;
        ``lambda``: the probe's chosen regularisation;
        ``top1_demo``: top-1 of the model's own classifier on the stimuli (logits models
        on the demo, whose photos carry ImageNet labels).

    Returns:
        Tidy DataFrame (``model, dataset, layer, measure, value, ci_low, ci_high, n``),
        cached under ``results/evaluate-<profile>-<key>.csv``.
    """
    name = f"evaluate-{profile.name}-{profile.key('models', 'dataset', 'layers', 'n_triplets', 'seed', 'n_boot', 'lambdas', 'n_folds', 'probe_max_iter')}"

    def compute() -> pd.DataFrame:
        measures = _measures()
        data = load_study_data(profile, cfg)
        triplets = data.triplets.indices
        rows = []
        for model_id in profile.models:
            for layer in _layers_of(model_id, profile):
                feats = features_for(model_id, layer, profile, data)
                correct = measures.odd_one_out_correct(feats, triplets, similarity="cosine")
                ci = measures.bootstrap_ci(correct, n_boot=profile.n_boot, seed=profile.seed)
                rows.append(_row(model_id, profile.dataset, layer, "zero_shot", correct.mean(), ci, len(correct)))
                probe = measures.fit_probe(
                    feats, triplets, lambdas=profile.lambdas, n_folds=profile.n_folds,
                    seed=profile.seed, device=profile.device, max_iter=profile.probe_max_iter,
                )
                probe.transform.save_npz(_things_probe_path(profile, model_id, layer, cfg))
                rows.append(_row(model_id, profile.dataset, layer, "probed", probe.accuracy))
                rows.append(_row(model_id, profile.dataset, layer, "zero_shot_heldout", probe.zero_shot))
                rows.append(_row(model_id, profile.dataset, layer, "lambda", probe.lambda_))
                for measure, value in measures.convergence_summary(probe).items():
                    rows.append(_row(model_id, profile.dataset, layer, measure, value))
            spec = _registry().get_spec(model_id)
            # Top-1 on the demo photos needs an ImageNet-1k classifier (1000 logits).
            if profile.dataset == "things-demo" and spec.logits and spec.logits_dim == 1000:
                top1 = _features().classify_accuracy(model_id, data.stimuli)
                rows.append(_row(model_id, profile.dataset, "logits", "top1_demo", top1, n=len(data.stimuli)))
        return pd.DataFrame(rows)

    return _cached(name, compute, cfg)


HUMAN_EMBEDDINGS = {
    "human/vice_42d": "VICE 42-d",
    "human/spose_14d": "SPoSE 14-d",
    "human/spose_82d": "SPoSE 82-d",
}


def _human_embedding(model: str, cfg: Settings | None) -> np.ndarray:
    from . import datasets

    if model == "human/vice_42d":
        return datasets.load_vice(cfg)
    return datasets.load_spose(int(model.split("_")[1].rstrip("d")), cfg)


def human_baselines(profile: Profile, cfg: Settings | None = None) -> pd.DataFrame:
    """Human reference points, as rows of the same tidy table as :func:`evaluate`.

    * ``noise_ceiling`` on the real 20k-trial set (``dataset`` ``things-20k``);
    * the VICE and SPoSE human embeddings scored (dot-product similarity, the choice model
      they were fitted with) on the real 20k trials and on the profile's triplets. For the
      demo the triplets were simulated from VICE, so VICE's accuracy there is the best a
      model can expect, not an independent baseline.
    """
    name = f"baselines-{profile.name}-{profile.key('dataset', 'n_triplets', 'seed', 'n_boot')}"

    def compute() -> pd.DataFrame:
        from . import datasets

        measures = _measures()
        trials = datasets.load_noise_ceiling_trials(cfg)
        data = load_study_data(profile, cfg)
        rows = [_row("human/noise_ceiling", "things-20k", "-", "noise_ceiling",
                     measures.noise_ceiling(trials.triplets.indices, trials.triplet_id),
                     n=len(trials.triplet_id))]
        for model in HUMAN_EMBEDDINGS:
            emb = _human_embedding(model, cfg)
            correct = measures.odd_one_out_correct(emb, trials.triplets.indices, similarity="dot")
            ci = measures.bootstrap_ci(correct, n_boot=profile.n_boot, seed=profile.seed, groups=trials.triplet_id)
            rows.append(_row(model, "things-20k", "-", "zero_shot", correct.mean(), ci, len(correct)))
            correct = measures.odd_one_out_correct(emb[data.concept_index], data.triplets.indices, similarity="dot")
            ci = measures.bootstrap_ci(correct, n_boot=profile.n_boot, seed=profile.seed)
            rows.append(_row(model, profile.dataset, "-", "zero_shot", correct.mean(), ci, len(correct)))
        return pd.DataFrame(rows)

    return _cached(name, compute, cfg)


def _transfer_probe_path(profile: Profile, model_id: str, layer: str, cfg: Settings | None) -> Path:
    key = profile.key("dataset", "n_triplets", "seed", "lambdas", "n_folds", "probe_max_iter", "train_fraction")
    safe = model_id.replace("/", "__")
    return (cfg or current_settings()).cache_dir / "probes" / f"{profile.dataset}-{key}" / f"{safe}--{layer}.npz"


def _transfer_probe(profile: Profile, model_id: str, layer: str, feats: np.ndarray,
                    data: StudyData, train: np.ndarray, cfg: Settings | None):
    """The probe fitted on the triplets among the training concepts (cached as .npz)."""
    measures = _measures()
    path = _transfer_probe_path(profile, model_id, layer, cfg)
    if path.is_file():
        return measures.ProbeTransform.load_npz(path), None
    trip_train = restrict_triplets(data.triplets.indices, train, len(data.stimuli))
    probe = measures.fit_probe(
        feats[train], trip_train, lambdas=profile.lambdas, n_folds=profile.n_folds,
        seed=profile.seed, device=profile.device, max_iter=profile.probe_max_iter,
    )
    probe.transform.save_npz(path)  # written atomically
    return probe.transform, probe


def _things_probe_path(profile: Profile, model_id: str, layer: str, cfg: Settings | None) -> Path:
    key = profile.key("dataset", "n_triplets", "seed", "lambdas", "n_folds", "probe_max_iter")
    safe = model_id.replace("/", "__")
    return (cfg or current_settings()).cache_dir / "probes" / f"{profile.dataset}-all-{key}" / f"{safe}--{layer}.npz"


def things_probe(profile: Profile, model_id: str, layer: str, feats: np.ndarray,
                 data: StudyData, cfg: Settings | None = None):
    """The probe fitted on all of the profile's THINGS triplets (the one :func:`evaluate`
    scores), refitted on all objects at the cross-validated lambda; cached as .npz.

    Returns:
        A :class:`~humanalign.measures.ProbeTransform`.
    """
    measures = _measures()
    path = _things_probe_path(profile, model_id, layer, cfg)
    if path.is_file():
        return measures.ProbeTransform.load_npz(path)
    probe = measures.fit_probe(
        feats, data.triplets.indices, lambdas=profile.lambdas, n_folds=profile.n_folds,
        seed=profile.seed, device=profile.device, max_iter=profile.probe_max_iter,
    )
    probe.transform.save_npz(path)  # written atomically
    return probe.transform


def evaluate_transfer(profile: Profile, cfg: Settings | None = None) -> pd.DataFrame:
    """Does a probe fitted on THINGS triplets improve alignment elsewhere?

    Held-out THINGS concepts (every profile; the transfer to other human data sets is in
    :mod:`humanalign.rsa_study`): the probe is fitted on triplets among a seeded
    ``train_fraction`` of the concepts and tested on the other concepts, which it never
    saw: RSA (Spearman) of the model's cosine similarity against VICE dot-product
    similarity, zero-shot vs transformed, and odd-one-out accuracy on the held-out
    triplets (zero-shot cosine vs transformed dot product).

    Returns:
        Tidy DataFrame with measures ``rsa_zero_shot``, ``rsa_transformed``,
        ``heldout_zero_shot``, ``heldout_probed`` (dataset ``<dataset>-heldout``).
    """
    name = f"transfer-{profile.name}-{profile.key('models', 'dataset', 'layers', 'n_triplets', 'seed', 'lambdas', 'n_folds', 'probe_max_iter', 'train_fraction')}"

    def compute() -> pd.DataFrame:
        from .datasets import HumanMatrix

        measures = _measures()
        data = load_study_data(profile, cfg)
        train, test = concept_split(len(data.stimuli), profile.train_fraction, profile.seed)
        vice_test = data.vice[test]
        human = HumanMatrix(
            vice_test @ vice_test.T, tuple(np.asarray(data.stimuli.ids)[test]), "similarity",
            "VICE 42-d dot-product similarity of the held-out concepts",
        )
        trip_test = restrict_triplets(data.triplets.indices, test, len(data.stimuli))
        ds = f"{profile.dataset}-heldout"
        rows = []
        for model_id in profile.models:
            for layer in _layers_of(model_id, profile):
                feats = features_for(model_id, layer, profile, data)
                transform, _ = _transfer_probe(profile, model_id, layer, feats, data, train, cfg)
                rho = measures.transfer_rsa(feats[test], transform, human, metric="cosine")
                rows.append(_row(model_id, ds, layer, "rsa_zero_shot", rho["zero_shot"], n=len(test)))
                rows.append(_row(model_id, ds, layer, "rsa_transformed", rho["transformed"], n=len(test)))
                zs = measures.odd_one_out_correct(feats[test], trip_test, similarity="cosine")
                pr = measures.odd_one_out_correct(transform.apply(feats[test]), trip_test, similarity="dot")
                for measure, correct in (("heldout_zero_shot", zs), ("heldout_probed", pr)):
                    ci = measures.bootstrap_ci(correct, n_boot=profile.n_boot, seed=profile.seed)
                    rows.append(_row(model_id, ds, layer, measure, correct.mean(), ci, len(correct)))
        return pd.DataFrame(rows)

    return _cached(name, compute, cfg)


def dimension_table(top: int = 10, cfg: Settings | None = None) -> pd.DataFrame:
    """The 42 VICE dimensions with the evidence for their names (see
    :func:`humanalign.measures.describe_dimensions`): the THINGS category most enriched
    among the ``top`` heaviest objects, its enrichment and the objects themselves."""
    from . import datasets

    return _measures().describe_dimensions(
        datasets.load_vice(cfg), datasets.load_concepts(cfg), datasets.load_category_matrix(cfg), top=top,
    )


def dimension_names(top: int = 10, cfg: Settings | None = None) -> list[str]:
    """Names of the 42 VICE dimensions: enriched category and top objects."""
    return list(dimension_table(top, cfg)["name"])


def concept_correctness(profile: Profile, kind: str = "zero_shot",
                        cfg: Settings | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per-triplet correctness of every trained model, with each triplet's VICE dimension.

    ``zero_shot`` scores all triplets of the profile (cosine); ``probed`` the held-out
    triplets of the transfer split with the probe fitted on the other concepts, as
    :func:`evaluate_concepts` does. Every model is scored on the same triplets, so
    comparisons between dimensions and models can be paired.

    Returns:
        ``(correct, labels, models)``: (N, M) bool, (N,) int64 dimensions, the M model ids.
    """
    if kind not in ("zero_shot", "probed"):
        raise ValueError(f"kind must be 'zero_shot' or 'probed', not {kind!r}.")
    measures = _measures()
    data = load_study_data(profile, cfg)
    models = [m for m in profile.models if _registry().get_spec(m).training_data != UNTRAINED]
    if kind == "zero_shot":
        triplets = data.triplets.indices
        labels = measures.concept_labels(data.vice, triplets)
    else:
        train, test = concept_split(len(data.stimuli), profile.train_fraction, profile.seed)
        triplets = restrict_triplets(data.triplets.indices, test, len(data.stimuli))
        labels = measures.concept_labels(data.vice[test], triplets)
    columns = []
    for model_id in models:
        feats = features_for(model_id, "penultimate", profile, data)
        if kind == "zero_shot":
            columns.append(measures.odd_one_out_correct(feats, triplets, similarity="cosine"))
        else:
            transform, _ = _transfer_probe(profile, model_id, "penultimate", feats, data, train, cfg)
            columns.append(measures.odd_one_out_correct(transform.apply(feats[test]), triplets, similarity="dot"))
    correct = np.stack(columns, axis=1) if columns else np.zeros((len(labels), 0), dtype=bool)
    return correct, labels, models


def evaluate_concepts(profile: Profile, layer: str = "penultimate", cfg: Settings | None = None) -> pd.DataFrame:
    """Odd-one-out accuracy per VICE concept dimension, for every model of a profile.

    Each triplet is labelled with the VICE dimension that dominates its similar pair.
    ``zero_shot`` uses all triplets; ``probed`` uses the held-out triplets of the transfer
    split (among concepts the probe never saw), so its ``n`` per dimension is smaller.

    Returns:
        DataFrame with columns ``model, layer, kind, dimension, name, n, accuracy``.
    """
    if layer not in LAYERS:
        raise ValueError(f"Unknown layer {layer!r}; choose from {list(LAYERS)}.")
    name = f"concepts-{profile.name}-{layer}-{profile.key('models', 'dataset', 'n_triplets', 'seed', 'lambdas', 'n_folds', 'probe_max_iter', 'train_fraction')}"

    def compute() -> pd.DataFrame:
        measures = _measures()
        data = load_study_data(profile, cfg)
        names = dimension_names(cfg=cfg)
        n_dims = data.vice.shape[1]
        labels_all = measures.concept_labels(data.vice, data.triplets.indices)
        train, test = concept_split(len(data.stimuli), profile.train_fraction, profile.seed)
        trip_test = restrict_triplets(data.triplets.indices, test, len(data.stimuli))
        labels_test = measures.concept_labels(data.vice[test], trip_test)
        frames = []
        for model_id in profile.models:
            if layer not in _layers_of(model_id, profile):
                continue
            feats = features_for(model_id, layer, profile, data)
            zs = measures.odd_one_out_correct(feats, data.triplets.indices, similarity="cosine")
            transform, _ = _transfer_probe(profile, model_id, layer, feats, data, train, cfg)
            pr = measures.odd_one_out_correct(transform.apply(feats[test]), trip_test, similarity="dot")
            for kind, correct, labels in (("zero_shot", zs, labels_all), ("probed", pr, labels_test)):
                table = measures.accuracy_by_concept(correct, labels, n_dims).copy()
                table.insert(0, "kind", kind)
                table.insert(0, "layer", layer)
                table.insert(0, "model", model_id)
                frames.append(table)
        out = pd.concat(frames, ignore_index=True)
        out["name"] = [names[int(d)] for d in out["dimension"]]
        # Stored in the tidy layout of the results cache; the extra columns are kept.
        out["dataset"] = profile.dataset
        out["measure"] = [f"{k}/dim{int(d):02d}" for k, d in zip(out["kind"], out["dimension"])]
        out["value"] = out["accuracy"]
        return out

    table = _cached(name, compute, cfg)
    # Names are recomputed rather than read from the cache, so a cached table follows the
    # current naming rule.
    names = dimension_names(cfg=cfg)
    table = table.assign(name=[names[int(d)] for d in table["dimension"]])
    return table[["model", "layer", "kind", "dimension", "name", "n", "accuracy"]].reset_index(drop=True)


# --------------------------------------------------------------------------- tables


def model_table(models: Iterable[str]) -> pd.DataFrame:
    """Registry metadata of the given model ids, in the given order."""
    models = list(models)
    table = _registry().list_models()
    table = table.set_index("id").loc[models].reset_index()
    return table


def attach_metadata(results: pd.DataFrame) -> pd.DataFrame:
    """Add registry columns (family, params, objective, training data, ...) to a result table.

    Rows of human baselines (model ids starting with ``human/``) get ``training_data``
    ``"human"`` and empty model metadata.
    """
    meta = _registry().list_models()
    keep = [c for c in ("id", "family", "arch", "params", "imagenet_top1", "objective", "training_data", "source") if c in meta.columns]
    out = results.merge(meta[keep].rename(columns={"id": "model"}), on="model", how="left")
    human = out["model"].astype(str).str.startswith("human/")
    out.loc[human, "training_data"] = "human"
    out.loc[human, "objective"] = "human judgements"
    out.loc[human, "family"] = "human"
    return out


def wide_accuracy(results: pd.DataFrame, layer: str | None = "penultimate") -> pd.DataFrame:
    """One row per model (x layer): columns ``zero_shot``, ``probed``, CI and metadata.

    Args:
        results: Output of :func:`evaluate`.
        layer: Keep only this layer; ``None`` keeps all (one row per model and layer).
    """
    res = results if layer is None else results[results["layer"] == layer]
    if res.empty:
        raise ValueError(f"No results for layer {layer!r}; layers present: {sorted(results['layer'].unique())}.")
    value = res.pivot_table(index=["model", "layer"], columns="measure", values="value", aggfunc="first")
    ci = res[res["measure"] == "zero_shot"].set_index(["model", "layer"])[["ci_low", "ci_high"]]
    wide = value.join(ci).reset_index()
    order = {m: i for i, m in enumerate(dict.fromkeys(results["model"]))}
    wide = wide.sort_values(["model", "layer"], key=lambda s: s.map(order) if s.name == "model" else s)
    return attach_metadata(wide).reset_index(drop=True)


def headline_table(results: pd.DataFrame, baselines: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, float]]:
    """Every model's zero-shot and probed accuracy plus the reference lines of the headline.

    Returns:
        ``(table, refs)``: the wide table of :func:`wide_accuracy` over all layers, and the
        reference accuracies ``noise_ceiling`` (real 20k set), ``vice_real`` (VICE on the
        real 20k set), ``vice_profile`` (VICE on the profile's triplets) and ``chance``.
    """
    table = wide_accuracy(results, layer=None)
    b = baselines.set_index(["model", "dataset", "measure"])["value"]
    profile_ds = [d for d in baselines["dataset"].unique() if d != "things-20k"]
    refs = {
        "chance": 1 / 3,
        "noise_ceiling": float(b[("human/noise_ceiling", "things-20k", "noise_ceiling")]),
        "vice_real": float(b[("human/vice_42d", "things-20k", "zero_shot")]),
    }
    if profile_ds:
        refs["vice_profile"] = float(b[("human/vice_42d", profile_ds[0], "zero_shot")])
    return table, refs


# --------------------------------------------------------------------------- text


def data_note(profile: Profile) -> str:
    """One Markdown sentence on where the profile's triplets come from (for every page)."""
    if profile.simulated:
        return (
            f"**The triplets on this page are simulated.** The {profile.n_triplets:,} odd-one-out "
            "choices over the 334 demo concepts were sampled from the VICE human embedding "
            "(itself fitted on 1.46 million real human triplets); they are not choices made by "
            "people. The noise ceiling and the human baselines on the real 20k-trial set are real."
        )
    text = (
        "The triplets on this page are real human odd-one-out choices from the THINGS release"
        + (f" (a seeded subsample of {profile.n_triplets:,})." if profile.n_triplets else " (all of them).")
    )
    if profile.images == "cc0":
        text += (
            " **The images are not the ones people saw:** each concept is shown to the models as "
            "its THINGSplus public-domain photo, while people judged the THINGS database image of "
            "the odd-one-out task (a deviation from the paper)."
        )
    return text


def probe_convergence(results: pd.DataFrame) -> pd.DataFrame:
    """One row per model x layer with the probe's convergence report (the ``probe_*`` rows of
    :func:`evaluate`): final fit's iterations, gradient norm, last relative change, whether it
    hit the iteration cap, and how many cross-validation fits did."""
    conv = results[results["measure"].astype(str).str.startswith("probe_")]
    if conv.empty:
        raise ValueError("These results carry no probe convergence rows; recompute them with evaluate().")
    return conv.pivot_table(index=["model", "layer"], columns="measure", values="value").reset_index()


def probe_warning(results: pd.DataFrame, max_iter: int) -> str:
    """A MyST warning when any probe fit stopped on its iteration cap, else one plain sentence."""
    conv = probe_convergence(results)
    refits, capped = len(conv), int((conv["probe_refit_hit_cap"] > 0).sum())
    grid, grid_capped = int(conv["probe_grid_fits"].sum()), int(conv["probe_grid_fits_hit_cap"].sum())
    if capped == 0 and grid_capped == 0:
        return (f"Every probe fit ({grid} cross-validation fits and {refits} final fits) converged "
                f"before its {max_iter}-iteration cap.")
    return (
        "```{warning}\n"
        f"The probe's final fit stopped on its {max_iter}-iteration cap for {capped} of {refits} "
        f"model x layer pairs, and {grid_capped} of {grid} cross-validation fits did: those probes "
        "may not be fully converged. The cap is the profile's `probe_max_iter`.\n```"
    )


def glue_verdict(prefix: str, verdict: "Verdict") -> None:
    """Glue a verdict for the prose: ``<prefix>_verdict`` (bold Markdown), ``<prefix>_reason``
    (Markdown) and every number as ``<prefix>_<name>``."""
    from IPython.display import Markdown
    from myst_nb import glue

    glue(f"{prefix}_verdict", Markdown(f"**{verdict.status}**"), display=False)
    glue(f"{prefix}_reason", Markdown(verdict.reason), display=False)
    for key, value in verdict.numbers.items():
        glue(f"{prefix}_{key}", value, display=False)
    for key, value in verdict.labels.items():
        glue(f"{prefix}_{key}", Markdown(value), display=False)


def glue_values(prefix: str, values: dict) -> None:
    """Glue plain numbers (``<prefix>_<name>``) and strings (as Markdown) for the prose."""
    from IPython.display import Markdown
    from myst_nb import glue

    for key, value in values.items():
        glue(f"{prefix}_{key}", Markdown(value) if isinstance(value, str) else value, display=False)


# --------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    """A chapter's conclusion: ``status`` is one of :data:`Verdict.STATUSES`.

    Attributes:
        status: ``reproduced``, ``not reproduced`` or ``not testable with this profile's models``.
        reason: One sentence on why, for the text.
        numbers: The figures the decision rests on (glued into the prose).
    """

    status: str
    reason: str
    numbers: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    STATUSES = ("reproduced", "not reproduced", "not testable with this profile's models")

    def __post_init__(self) -> None:
        if self.status not in self.STATUSES:
            raise ValueError(f"Unknown verdict {self.status!r}; use one of {self.STATUSES}.")


def verdict_transfer(transfer: pd.DataFrame, wide_meta: pd.DataFrame | None = None, layer: str = "penultimate") -> Verdict:
    """Transfer: does the THINGS probe raise RSA on data it was not fitted on?

    Reproduced when the transformed RSA beats the zero-shot RSA for a majority of the
    trained models and the mean gain is positive.
    """
    t = transfer[transfer["layer"] == layer]
    piv = t.pivot_table(index="model", columns="measure", values="value")
    meta = attach_metadata(piv.reset_index())
    piv = piv[~meta.set_index("model")["training_data"].isin([UNTRAINED, "human"]).reindex(piv.index).fillna(False)]
    if piv.empty:
        return Verdict("not testable with this profile's models", "no trained model in the profile", {})
    gain = piv["rsa_transformed"] - piv["rsa_zero_shot"]
    share = float((gain > 0).mean())
    status = "reproduced" if share > 0.5 and gain.mean() > 0 else "not reproduced"
    return Verdict(
        status,
        f"the probe raised RSA for {share:.0%} of the trained models (mean gain {gain.mean():+.3f})",
        {"share_improved": share, "mean_gain": float(gain.mean()), "n_models": float(len(piv)),
         "mean_zero_shot": float(piv["rsa_zero_shot"].mean()), "mean_transformed": float(piv["rsa_transformed"].mean())},
    )
