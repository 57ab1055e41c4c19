"""The model table: one row per model, canonical ids ``source/arch.tag``, metadata per row.

The table lives in ``resources/models.csv`` and is parsed once into frozen
:class:`ModelSpec` objects. Columns:

``id``            canonical id, ``source/arch.tag`` (e.g. ``torchvision/resnet50.IMAGENET1K_V1``)
``source``        the loader that builds it (``torchvision``, ``timm``, ``open_clip``, ``ssl``,
                  ``pypi``, ``litert``, ``untrained``; ``internal`` for models this library cannot run:
                  Google-internal ones, and published weights without a port or loader here)
``builder``       the constructor name inside that source (torchvision builder, timm model
                  name, open_clip architecture, TF-Lite data file)
``family``        architecture family, for grouping in the chapters
``params``        number of parameters (counted on the architecture for runnable rows)
``imagenet_top1`` ImageNet-1k top-1 as a fraction (empty when not measured), with
                  ``top1_source`` naming where the number comes from: a classifier's own
                  accuracy, or a linear probe on frozen features (self-supervised and
                  image/text models), as the paper used
``imagenet_zero_shot``  zero-shot ImageNet accuracy of image/text models (text prompts as
                  the classifier): another quantity than ``imagenet_top1``, kept apart
``objective``     the objective group, one of :data:`OBJECTIVES` (the paper's grouping)
``objective_detail``  the exact loss or recipe (label smoothing, SimCLR, ...), free text
``training_data`` the training set, one of :data:`TRAINING_DATA`
``precision``     number format of the weights as run (``float32``, ``uint8 (...)``): a
                  property of the file, never a factor to group models by
``penultimate``, ``logits``  module names (tensor names for ``litert``) of the two layers;
                  an empty ``logits`` means the model has no classifier
``penultimate_dim``, ``logits_dim``, ``input_size``  the documented dimensions
``public``        ``false`` for the paper's Google-internal models, kept so the book can say
                  what it could not rerun
``weights_url``   where the weights come from; ``note`` anything a reader should know

Extension point: ``HUMANALIGN_EXTRA_MODELS`` names CSV files in the same format
(separated by ``os.pathsep``) whose rows are added to the table, e.g. the tiny
random-weight models of the rehearsal (the test suite's `tests/rehearsal.py`). An extra row may
not reuse a built-in id.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from importlib import resources as _res
from typing import Iterable

import pandas as pd

__all__ = [
    "as_spec",
    "UNTRAINED",
    "OBJECTIVES",
    "TRAINING_DATA",
    "SOURCES",
    "EXTRA_MODELS_ENV",
    "ModelSpec",
    "get_spec",
    "list_models",
    "parse_id",
    "spec_from_row",
    "spec_table",
]

EXTRA_MODELS_ENV = "HUMANALIGN_EXTRA_MODELS"
#: The objective groups, as the paper's code groups models. Softmax with an extra loss term
#: or regulariser (label smoothing, extra L2, dropout, logit penalty or normalisation,
#: cosine softmax) is "softmax+"; augmentations (MixUp, AutoAugment) stay "supervised
#: softmax"; every self-supervised method is one group. The last three are the demo's own:
#: backbones trained for other tasks, and untrained controls.
OBJECTIVES = (
    "supervised softmax",
    "supervised sigmoid",
    "softmax+",
    "squared error",
    "self-supervised",
    "image/text contrastive",
    "semantic segmentation",
    "pose heat-map regression",
    "none (random init)",
)
#: The training data of a model with random weights (a control).
UNTRAINED = "none (untrained)"
#: The training sets. The number of classes, the precision and the quantisation of a model
#: are no part of its training data.
TRAINING_DATA = (
    "ImageNet-1k",
    "ImageNet-21k",
    "ImageNet-21k, fine-tuned on ImageNet-1k",
    "JFT-300M",
    "JFT-3B",
    "WIT-400M",
    "LAION-400M",
    "LAION-2B",
    "ALIGN-1.8B",
    "JFT-5B + ALIGN-6.6B",
    "Ecoset",
    "iNaturalist 2017 birds",
    "iNaturalist 2017 insects",
    "PASCAL VOC 2012",
    "Cityscapes",
    "COCO + Active",
    UNTRAINED,
)
SOURCES = ("torchvision", "timm", "open_clip", "ssl", "pypi", "litert", "untrained", "internal")

# source: lower-case word; arch: no '/', no whitespace; tag: after the last '.'.
_ID = re.compile(r"^(?P<source>[a-z_]+)/(?P<arch>[^/\s]+)\.(?P<tag>[^./\s]+)$")


@dataclass(frozen=True)
class ModelSpec:
    """Everything the library knows about one model, from one row of the table.

    Attributes:
        id: Canonical id ``source/arch.tag``.
        source: Loader name (see :data:`SOURCES`).
        arch: Architecture name as written in the id.
        tag: Weights tag as written in the id.
        family: Architecture family.
        params: Number of parameters, or None when the paper does not give it.
        imagenet_top1: ImageNet-1k top-1 accuracy as a fraction in [0, 1], or None.
        top1_source: Citation of ``imagenet_top1``.
        objective: Objective group, one of :data:`OBJECTIVES`.
        training_data: Training data, one of :data:`TRAINING_DATA`.
        penultimate: Module (or TF-Lite tensor) name of the penultimate layer.
        logits: Module (or tensor) name of the logits; ``""`` when there is no classifier.
        public: False for models that cannot be obtained (Google-internal).
        note: Free text for readers.
        builder: Constructor name inside the source library.
        penultimate_dim: Width of the penultimate features, or None.
        logits_dim: Width of the logits, or None.
        input_size: Side of the square input image in pixels, or None.
        weights_url: Where the weights come from.
        precision: Number format of the weights as run (``float32``, ``uint8 (...)``).
        objective_detail: The exact loss or recipe behind ``objective``.
        imagenet_zero_shot: Zero-shot ImageNet accuracy (image/text models), or None.
    """

    id: str
    source: str
    arch: str
    tag: str
    family: str
    params: int | None
    imagenet_top1: float | None
    top1_source: str
    objective: str
    training_data: str
    penultimate: str
    logits: str
    public: bool
    note: str = ""
    builder: str = ""
    penultimate_dim: int | None = None
    logits_dim: int | None = None
    input_size: int | None = None
    weights_url: str = ""
    precision: str = "float32"
    objective_detail: str = ""
    imagenet_zero_shot: float | None = None

    @property
    def has_logits(self) -> bool:
        """Whether the model has a classifier output."""
        return bool(self.logits)

    def layer_module(self, layer: str) -> str:
        """Module name for ``layer`` (``"penultimate"`` or ``"logits"``).

        Raises:
            ValueError: unknown layer, or ``"logits"`` of a model without a classifier.
        """
        if layer == "penultimate":
            return self.penultimate
        if layer == "logits":
            if not self.logits:
                raise ValueError(
                    f"Model {self.id!r} has no classifier, so it has no logits; "
                    "use layer='penultimate'."
                )
            return self.logits
        raise ValueError(f"Unknown layer {layer!r}; use 'penultimate' or 'logits'.")

    def layer_dim(self, layer: str) -> int | None:
        """Documented width of ``layer``."""
        self.layer_module(layer)
        return self.penultimate_dim if layer == "penultimate" else self.logits_dim


def parse_id(model_id: str) -> tuple[str, str, str]:
    """Split a canonical id into ``(source, arch, tag)``.

    Raises:
        ValueError: the id is not of the form ``source/arch.tag``.
    """
    match = _ID.match(model_id or "")
    if not match:
        raise ValueError(
            f"Model id {model_id!r} is not of the form 'source/arch.tag' "
            "(e.g. 'torchvision/resnet50.IMAGENET1K_V1')."
        )
    return match["source"], match["arch"], match["tag"]


def _int_or_none(text: object) -> int | None:
    text = str(text).strip()
    return int(float(text)) if text else None


def spec_from_row(row: dict) -> ModelSpec:
    """Build a :class:`ModelSpec` from one table row (a dict of strings), validating it.

    Raises:
        ValueError: the row is inconsistent (id vs source/arch/tag, unknown source or
            vocabulary, accuracy outside [0, 1], ...); the message names the row.
    """
    model_id = row["id"]
    source, arch, tag = parse_id(model_id)
    if (source, arch, tag) != (row["source"], row["arch"], row["tag"]):
        raise ValueError(
            f"models.csv row {model_id!r}: the id does not match source/arch/tag "
            f"({row['source']!r}, {row['arch']!r}, {row['tag']!r})."
        )
    if source not in SOURCES:
        raise ValueError(f"models.csv row {model_id!r}: unknown source {source!r}; known: {SOURCES}.")
    top1, zero_shot = (_fraction(row, key) for key in ("imagenet_top1", "imagenet_zero_shot"))
    for key, vocabulary in (("objective", OBJECTIVES), ("training_data", TRAINING_DATA)):
        if row[key] not in vocabulary:
            close = difflib.get_close_matches(str(row[key]), vocabulary, n=1, cutoff=0.3)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"models.csv row {model_id!r}: {key} {row[key]!r} is not in the vocabulary "
                f"{vocabulary}.{hint} Keep the exact loss in objective_detail."
            )
    public = str(row["public"]).strip().lower()
    if public not in {"true", "false"}:
        raise ValueError(f"models.csv row {model_id!r}: public must be true or false, not {public!r}.")
    return ModelSpec(
        id=model_id,
        source=source,
        arch=arch,
        tag=tag,
        family=row["family"],
        params=_int_or_none(row.get("params", "")),
        imagenet_top1=top1,
        top1_source=row.get("top1_source", ""),
        objective=row["objective"],
        training_data=row["training_data"],
        penultimate=row["penultimate"],
        logits=row.get("logits", ""),
        public=public == "true",
        note=row.get("note", ""),
        builder=row.get("builder", ""),
        penultimate_dim=_int_or_none(row.get("penultimate_dim", "")),
        logits_dim=_int_or_none(row.get("logits_dim", "")),
        input_size=_int_or_none(row.get("input_size", "")),
        weights_url=row.get("weights_url", ""),
        precision=(row.get("precision") or "").strip() or "float32",
        objective_detail=(row.get("objective_detail") or "").strip(),
        imagenet_zero_shot=zero_shot,
    )


def _fraction(row: dict, key: str) -> float | None:
    text = str(row.get(key) or "").strip()
    value = float(text) if text else None
    if value is not None and not 0.0 <= value <= 1.0:
        raise ValueError(f"models.csv row {row['id']!r}: {key} {value} is not a fraction in [0, 1].")
    return value


def _parse_table(text: str, origin: str) -> dict[str, ModelSpec]:
    specs: dict[str, ModelSpec] = {}
    for row in csv.DictReader(text.splitlines()):
        try:
            spec = spec_from_row(row)
        except (KeyError, TypeError) as err:
            raise ValueError(f"{origin}: a row lacks the column {err}; use the columns of models.csv.") from err
        if spec.id in specs:
            raise ValueError(f"{origin} lists {spec.id!r} twice.")
        specs[spec.id] = spec
    return specs


@lru_cache(maxsize=1)
def _builtin_table() -> dict[str, ModelSpec]:
    text = (_res.files("humanalign") / "resources" / "models.csv").read_text(encoding="utf-8")
    return _parse_table(text, "models.csv")


@lru_cache(maxsize=8)
def _extended_table(extra: tuple[tuple[str, int], ...]) -> dict[str, ModelSpec]:
    specs = dict(_builtin_table())
    for path, _mtime in extra:
        try:
            text = open(path, encoding="utf-8").read()
        except OSError as err:
            raise ValueError(
                f"{EXTRA_MODELS_ENV} names {path!r}, which cannot be read ({err}); "
                "fix the path or unset the variable."
            ) from err
        for model_id, spec in _parse_table(text, path).items():
            if model_id in specs:
                raise ValueError(
                    f"{path}: model {model_id!r} is already registered; extra rows need new ids."
                )
            specs[model_id] = spec
    return specs


def _table() -> dict[str, ModelSpec]:
    """Built-in rows plus those of the files in ``HUMANALIGN_EXTRA_MODELS``."""
    paths = [p for p in os.environ.get(EXTRA_MODELS_ENV, "").split(os.pathsep) if p]
    if not paths:
        return _builtin_table()
    # The modification time is part of the key so that a rewritten file is read again.
    key = tuple((p, os.stat(p).st_mtime_ns if os.path.exists(p) else -1) for p in paths)
    return _extended_table(key)


def as_spec(model: ModelSpec | str) -> ModelSpec:
    """A spec as it is, or the spec of a model id (see :func:`get_spec`): what functions that
    take either call once, at their top."""
    return get_spec(model) if isinstance(model, str) else model


def get_spec(model_id: str) -> ModelSpec:
    """The spec of one model.

    Raises:
        KeyError: unknown id; the message names the closest known ids.
    """
    table = _table()
    try:
        return table[model_id]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(model_id), list(table), n=5, cutoff=0.4)
        hint = f" Closest ids: {', '.join(close)}." if close else ""
        raise KeyError(
            f"Unknown model id {model_id!r}.{hint} List all with `humanalign models`."
        ) from None


def list_models(public_only: bool = False) -> pd.DataFrame:
    """The model table as a data frame, one row per model (columns = ModelSpec fields).

    Args:
        public_only: Drop the rows marked not public.
    """
    specs = [s for s in _table().values() if s.public or not public_only]
    return spec_table(specs)


def spec_table(specs: Iterable[ModelSpec]) -> pd.DataFrame:
    """Specs as a data frame, one row each in the given order (columns = ModelSpec fields)."""
    columns = [f.name for f in fields(ModelSpec)]
    frame = pd.DataFrame([asdict(s) for s in specs], columns=columns)
    # Nullable integers keep missing counts as <NA> instead of turning the column to float.
    for col in ("params", "penultimate_dim", "logits_dim", "input_size"):
        frame[col] = frame[col].astype("Int64")
    return frame.reset_index(drop=True)
