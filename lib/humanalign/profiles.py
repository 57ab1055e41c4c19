"""Profiles: the settings of one study run, read from a YAML file and checked at once.

A profile names the models, the data set and the run settings. The shipped ones (``demo``,
``full``) are package resources (``humanalign/resources/profiles``); any other profile is
the path of a ``.yml`` file with the same keys. :func:`make_profile` validates every value
(unknown model id, unknown or missing data set, a setting out of range) so that a bad run
fails before any feature is extracted.

The data sets a profile can name (:data:`DATASETS`) are the ``triplets`` rows of the
data-set registry (:func:`humanalign.datasets.dataset_names`); ``things-demo`` simulates its
choices from the VICE embedding, ``things`` holds the real judgements of the public release.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable, Iterable

import numpy as np
import yaml

from ._yaml import read_yaml, shown as _shown
from .escape import file_name, refused
from .profile_files import MAX_FILE_BYTES as _MAX_FILE_BYTES, profile_names, profile_path
from .config import Settings, check_device
from .datasets import IMAGE_SETS, dataset as dataset_row, dataset_names
from .fetch import fetch
from .registry import ModelSpec, get_spec as registry_spec, list_models
from .sources import get_resource

__all__ = [
    "DATASETS",
    "IMAGE_SETS",
    "LAYERS",
    "NOTEBOOK_OVERRIDES",
    "Profile",
    "TRANSFER_MODES",
    "load_profile",
    "make_profile",
    "notebook_profile",
    "profile_path",
    "profile_names",
    "read_profile_params",
]

LAYERS = ("penultimate", "logits")
#: The data sets a profile can score odd-one-out accuracy on (``triplets`` rows of the registry).
DATASETS = dataset_names("triplets")
TRANSFER_MODES = ("heldout-concepts", "arrangements")
# Files whose presence is checked before a run starts (small ones: the check must be quick).
_REQUIRED_FILES = ("things/things_concepts.tsv", "things/vice_embedding_42d.npy", "things/test_triplets.csv")

# Upper bounds of the settings, far above any sensible run: a slip of the keyboard (three
# zeros too many) is refused at once, not hours later on an allocation.
# The public THINGS release holds about 4.70 M triplets (Hebart et al. 2023, eLife 12:e82580),
# so 5,000,000 admits all of them.
_MAX_TRIPLETS = 5_000_000
# Percentile intervals need about 1,000-2,000 resamples (Efron & Tibshirani 1993, An
# Introduction to the Bootstrap); 100,000 leaves ample room for a finer check, and below two
# resamples an interval has no spread at all.
_MAX_BOOT = 100_000
# Images per forward pass: 4096 RGB images at 224 px are 2.5 GB of input alone, more than a
# batch gains once a GPU is busy.
_MAX_BATCH = 4096
# Seeds go to numpy, scikit-learn and torch; a signed 32-bit integer suits all of them.
_MAX_SEED = 2**31 - 1
_MAX_FOLDS = 100
_MAX_ITER = 1_000_000
_MAX_LAMBDAS = 100
# Wider than any model's features (ViT-G/14: 1664 dimensions); a rank at or above the width
# is the full probe.
_MAX_RANK = 100_000
_MAX_MODELS = 10_000
_MAX_WORD = 200  # model ids, layer names, devices and profile names are short words
_MAX_NAME = 100


@dataclass(frozen=True)
class Profile:
    """The settings of one study run (one book build).

    Attributes:
        name: Profile name (``demo``, ``full`` or the file stem) as a plain file name, since
            it labels the cached tables: ``mein Profil é`` becomes ``mein-Profil-e``.
        models: Canonical model ids, e.g. ``pypi/efficientnet_lite0.in1k``.
        dataset: A key of :data:`DATASETS`.
        layers: Representations to score, a subset of :data:`LAYERS`.
        n_triplets: Triplets the probe is fitted on (simulated for the demo; a seeded
            subsample of the real ones otherwise); ``None`` for all real triplets.
        seed: Seed of every random choice (triplet simulation, folds, bootstrap, splits).
        device: Torch device, or ``None`` for the configured default.
        batch_size: Images per forward pass.
        n_boot: Bootstrap resamples for confidence intervals.
        lambdas: Probe regularisation grid.
        n_folds: Folds of the probe's cross-validation over objects.
        transfer: ``heldout-concepts`` (the probe's transfer to concepts it never saw, on
            people's real answers, and to the 92 images) or ``arrangements`` (also the
            paper's multi- and free-arrangement data sets).
        images: The image of each concept (:data:`IMAGE_SETS`). For ``things``: ``things``
            (the images people saw) or ``cc0`` (THINGSplus public-domain photos, a deviation
            that every page states). For ``things-demo``: ``things`` (a THINGS database
            photo for 1849 concepts). Unset: the data set's first choice.
        probe_max_iter: L-BFGS iterations per probe fit; a fit that stops on this cap is
            reported as such (``probe_*`` rows of :func:`~humanalign.study.evaluate`).
        probe_rank: Let the probe act freely on this many leading principal directions of
            the features and scale the rest by one number (a cheaper, more strongly
            regularised probe, stated on every page that shows it); ``None``: the paper's
            full p x p probe.
        specs: The models' registry rows, resolved once when the profile is made (empty when
            it was made with ``check_models=False``); every study function reads these.
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
    images: str = "things"
    probe_max_iter: int = 100
    probe_rank: int | None = None
    specs: tuple[ModelSpec, ...] = field(default=(), compare=False, repr=False)

    @property
    def simulated(self) -> bool:
        """True when the triplets the probe is fitted on are simulated rather than made by
        people (the demo; the data-set registry's row says so). Every THINGS verdict rests
        on people's real answers either way."""
        return dataset_row("triplets", self.dataset).simulated

    def key(self, *fields_: str) -> str:
        """Short content hash of the fields that determine a cached result (all by default)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "specs"}
        chosen = {k: values[k] for k in (fields_ or sorted(values)) if k not in ("name", "device", "batch_size", "images")}
        # The image set matters wherever the data set does.
        if "dataset" in chosen:
            chosen["images"] = self.images
        text = json.dumps(chosen, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


#: The keys a profile file may hold: the fields of :class:`Profile`, with ``profile`` for its name.
PROFILE_KEYS = ("profile", *(f.name for f in fields(Profile) if f.name not in ("name", "specs")))


# --------------------------------------------------------------------------- value checks


def _plain_name(name: str) -> str:
    """``name`` as a plain file name (it labels cached tables; :func:`humanalign.escape.file_name`).
    Two names that map to the same plain one share a label only: every cached table also
    carries the key of the settings it came from (:meth:`Profile.key`)."""
    return file_name(name, "profile")


class _Checker:
    """Checks of single values, each error naming the profile, the key and the value."""

    def __init__(self, profile: object):
        self.profile = _shown(profile)

    def fail(self, message: str) -> ValueError:
        return ValueError(f"Profile {self.profile}: {message}")

    def whole(self, key: str, value: object, minimum: int, maximum: int | None = None) -> int:
        # bool is an int subclass, and 2.9 must not quietly become 2.
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
            raise self.fail(f"{key} must be a whole number >= {minimum}, got {_shown(value)} ({type(value).__name__}).")
        if maximum is not None and value > maximum:
            raise self.fail(f"{key} must be at most {maximum:,}, got {_shown(value)}; lower it.")
        return int(value)

    def real(self, key: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value):
            raise self.fail(f"{key} must be a finite number, got {_shown(value)} ({type(value).__name__}).")
        return float(value)

    def choice(self, key: str, value: object, allowed: Iterable[str]) -> str:
        allowed = tuple(allowed)
        if not isinstance(value, str) or value not in allowed:
            raise self.fail(f"{key} must be one of {allowed}, got {_shown(value)}.")
        return str(value)

    def name(self, value: object) -> str:
        if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
            raise self.fail(f"the profile name must be text, got {_shown(value)} ({type(value).__name__}); quote it.")
        if len(str(value)) > _MAX_NAME:
            raise self.fail(f"the profile name is {len(str(value)):,} characters long; keep it under {_MAX_NAME}.")
        bad = refused(str(value))  # pages show the name
        if bad is not None:
            raise self.fail(f"the profile name {_shown(value)} holds {bad!r}; use letters, digits, spaces and '-_.,()'.")
        return _plain_name(str(value))

    def device(self, value: object) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > _MAX_WORD:
            raise self.fail(f"device must be auto, cpu, cuda, cuda:N, mps or null, got {_shown(value)}.")
        check_device(value, f"Profile {self.profile}: device")
        return value

    def words(self, key: str, value: object, example: str, limit: int) -> tuple[str, ...]:
        """A list of short strings without repeats (a single string is a list of one)."""
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            raise self.fail(f"{key} must be a list such as [{example}], got {_shown(value)} ({type(value).__name__}).")
        if len(items) > limit:
            raise self.fail(f"{key} lists {len(items):,} entries; at most {limit:,} are allowed.")
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip() or len(item) > _MAX_WORD:
                raise self.fail(
                    f"{key} must be a list of names such as [{example}]; entry {i + 1} is {_shown(item)} "
                    f"({type(item).__name__})."
                )
        seen: set[str] = set()
        repeated = sorted({x for x in items if x in seen or seen.add(x)})
        if repeated:
            raise self.fail(f"{key} lists {_shown(repeated)} more than once; list each once.")
        return tuple(items)

    def lambdas(self, value: object) -> tuple[float, ...]:
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            value = [value]  # a single value is a grid of one
        if not isinstance(value, (list, tuple, np.ndarray)):
            raise self.fail(f"lambdas must be a list of positive numbers, e.g. [0.1, 0.01]; got {_shown(value)}.")
        if len(value) > _MAX_LAMBDAS:
            raise self.fail(f"lambdas lists {len(value):,} values; at most {_MAX_LAMBDAS} are allowed.")
        grid = tuple(self.real("lambdas", x) for x in value)
        if not grid or min(grid) <= 0:
            raise self.fail(f"lambdas must be positive numbers, got {_shown(grid)}.")
        return grid

    def models(self, value: object) -> tuple[str, ...]:
        if value == "all":
            # "all" is the plain-literal way for a profile to say: every public registry model.
            value = list(list_models(public_only=True)["id"])
        if value is None or (isinstance(value, (list, tuple)) and not value):
            raise ValueError(
                f"Profile {self.profile} names no models; list at least one model id under 'models' "
                "(see humanalign.registry.list_models())."
            )
        return self.words("models", value, "pypi/efficientnet_lite0.in1k", _MAX_MODELS)

    def layers(self, value: object) -> tuple[str, ...]:
        layers = self.words("layers", value, ", ".join(LAYERS), len(LAYERS) * 2)
        bad = [x for x in layers if x not in LAYERS] or ([] if layers else ["(none)"])
        if bad:
            raise self.fail(f"unknown layers {_shown(bad)}; choose from {list(LAYERS)}.")
        return layers


def _images(check: _Checker, dataset: str, images: object) -> str:
    choices = IMAGE_SETS.get(dataset, ("things",))
    return check.choice("images", choices[0] if images is None else images, choices)


def _check_combination(check: _Checker, dataset: str, n_triplets: int | None, transfer: str) -> None:
    """Settings that are fine alone but not together."""
    if n_triplets is None and dataset == "things-demo":
        raise check.fail("the demo simulates its triplets, so n_triplets must be a number.")
    if transfer == "arrangements" and dataset == "things-demo":
        raise check.fail(
            "the arrangement data sets are not part of the offline demo; "
            "use transfer: heldout-concepts with dataset things-demo."
        )


def make_profile(
    profile: str = "custom",
    models: Iterable[str] | str = (),
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
    images: str | None = None,
    probe_max_iter: int = 100,
    probe_rank: int | None = None,
    check_models: bool = True,
    check_data: bool = True,
    cfg: Settings | None = None,
    get_spec: Callable[[str], ModelSpec] = registry_spec,
) -> Profile:
    """Build and validate a :class:`Profile` from plain values (a notebook's parameters).

    Args:
        check_models: Resolve every model id to its spec with ``get_spec`` (the registry by
            default), once; the specs travel with the profile (:attr:`Profile.specs`).
        check_data: Make sure the data set's small files are at hand.
        get_spec: Where model ids are looked up (tests pass a small fake registry).

    Raises:
        ValueError: empty model list, unknown data set, layer or transfer mode, a value of
            the wrong type, a repeated model or layer, or a setting out of range; the message
            names the value (cut short) and what is allowed.
        KeyError: an unknown model id (the registry's message names the closest ids).
        DataError: a file the data set needs is neither in a mirror nor in the data folder.
    """
    check = _Checker(profile)
    name, models = check.name(profile), check.models(models)
    if not isinstance(dataset, str) or dataset not in DATASETS:
        raise check.fail(f"unknown data set {_shown(dataset)}; choose one of {sorted(DATASETS)}.")
    if n_triplets is not None:
        n_triplets = check.whole("n_triplets", n_triplets, 100, _MAX_TRIPLETS)
    if probe_rank is not None:
        probe_rank = check.whole("probe_rank", probe_rank, 2, _MAX_RANK)
    device = check.device(device)
    transfer = check.choice("transfer", transfer, TRANSFER_MODES)
    _check_combination(check, dataset, n_triplets, transfer)
    built = Profile(
        name=name, models=models, dataset=dataset, layers=check.layers(layers),
        n_triplets=n_triplets, seed=check.whole("seed", seed, 0, _MAX_SEED), device=device,
        batch_size=check.whole("batch_size", batch_size, 1, _MAX_BATCH),
        n_boot=check.whole("n_boot", n_boot, 2, _MAX_BOOT),
        lambdas=check.lambdas(lambdas), n_folds=check.whole("n_folds", n_folds, 2, _MAX_FOLDS), transfer=transfer,
        images=_images(check, dataset, images),
        probe_max_iter=check.whole("probe_max_iter", probe_max_iter, 1, _MAX_ITER), probe_rank=probe_rank,
        specs=tuple(get_spec(model_id) for model_id in models) if check_models else (),
    )
    if check_data:
        for path in _REQUIRED_FILES:
            fetch(get_resource(path), cfg)
    return built


# --------------------------------------------------------------------------- profile files


def read_profile_params(name_or_path: str | os.PathLike) -> dict[str, Any]:
    """The raw parameters of a profile file, with ``profile`` set to its name.

    Raises:
        ValueError: the file is not a small UTF-8 YAML mapping, or uses anchors, aliases,
            merge keys or a key twice; the message names the file (and line).
    """
    path = profile_path(name_or_path)
    params = read_yaml(path, "Profile file", _MAX_FILE_BYTES)
    if params is None:
        raise ValueError(f"Profile file {path} is empty; copy a shipped profile with `humanalign profile demo > mine.yml`.")
    if not isinstance(params, dict):
        raise ValueError(
            f"Profile file {path} must hold a mapping of parameter names to values (such as 'models: [...]'), "
            f"not a {type(params).__name__}."
        )
    params.setdefault("profile", path.stem if refused(path.stem) is None else _plain_name(path.stem))
    return params


def _check_keys(params: dict[str, Any], name_or_path: str | os.PathLike, overridden: Iterable[str] = ()) -> None:
    """Refuse an unknown key, then a bad value, of a profile file, naming the file.

    The values are checked here without the slower model and data checks, which
    :func:`make_profile` runs afterwards; the ``overridden`` keys are left to that call
    (a notebook's ``device = "cpu"`` replaces a file's ``device: cuda``).
    """
    unknown = sorted((k for k in params if k not in PROFILE_KEYS), key=str)
    if unknown:
        raise ValueError(
            f"Profile {_shown(str(name_or_path))}: unknown keys {_shown(unknown)}; allowed keys are {sorted(PROFILE_KEYS)}."
        )
    try:
        make_profile(**{k: v for k, v in params.items() if k not in overridden}, check_models=False, check_data=False)
    except ValueError as err:
        raise ValueError(f"{profile_path(name_or_path)}: {err}") from None


def load_profile(name_or_path: str | os.PathLike, cfg: Settings | None = None, **checks: Any) -> Profile:
    """Read a profile (a shipped name such as ``"demo"`` or a path) and validate it.

    Args:
        name_or_path: ``"demo"``, ``"full"`` or the path of a YAML file.
        cfg: Settings for the data check (default: from the environment).
        **checks: ``check_models`` / ``check_data`` set to False to skip those checks, or
            ``get_spec`` (see :func:`make_profile`).

    Raises:
        ValueError: unknown profile, bad YAML, an unknown key or a bad value.
        KeyError: an unknown model id.
        DataError: a needed data file is missing.
    """
    params = read_profile_params(name_or_path)
    _check_keys(params, name_or_path)
    return make_profile(**params, cfg=cfg, **checks)


# --------------------------------------------------------------------------- notebooks

# The values a notebook's ``parameters`` cell documents besides ``profile``: each ``None``
# there (the profile's value) or overridden with papermill ``-p name value``.
NOTEBOOK_OVERRIDES = ("n_triplets", "seed", "n_boot", "device")
# Names every IPython namespace holds that are not parameters.
_IPYTHON_NAMES = {"In", "Out", "exit", "quit", "get_ipython", "open"}
_PLAIN = (str, int, float, bool, type(None), list, tuple, dict)


def notebook_profile(namespace: dict[str, Any], cfg: Settings | None = None, **checks: Any) -> Profile:
    """The profile a notebook runs with: its ``profile`` parameter plus the documented overrides.

    Called right after the ``parameters`` cell (and papermill's injected one) with
    ``globals()``: every plain value in the namespace at that point is a parameter, so a
    name that is neither ``profile`` nor one of :data:`NOTEBOOK_OVERRIDES` was passed by
    mistake (``papermill -p n_boots 10``) and is refused rather than silently ignored.

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
        raise ValueError(f"The notebook parameter profile must be a profile name or a .yml path, got {_shown(profile)}.")
    params = read_profile_params(profile)
    overrides = {k: namespace[k] for k in NOTEBOOK_OVERRIDES if namespace.get(k) is not None}
    _check_keys(params, profile, overrides)  # the file's own values first, so that an error names the file
    return make_profile(**{**params, **overrides}, cfg=cfg, **checks)
