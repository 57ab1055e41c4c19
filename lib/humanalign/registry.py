"""The model table: one row per model, canonical ids ``source/arch.tag``, metadata per row.

The table lives in ``resources/models.csv`` and is parsed once into frozen
:class:`ModelSpec` objects. Columns:

``id``            canonical id, ``source/arch.tag`` (e.g. ``torchvision/resnet50.IMAGENET1K_V1``)
``display``       the model's name for readers, short and unique (``ResNet-50``, ``MobileNet v1
                  0.25 (128 px, uint8)``): what tables and charts show in place of the id; an
                  extra table may leave it empty (a name is then derived from the id)
``source``        the loader that builds it (``torchvision``, ``timm``, ``open_clip``, ``ssl``,
                  ``pypi``, ``litert``, ``untrained``; ``internal`` for models this library cannot run:
                  Google-internal ones, and published weights without a port or loader here)
``builder``       the constructor name inside that source (torchvision builder, timm model
                  name, open_clip architecture, TF-Lite data file)
``family``        architecture family, for grouping in the chapters
``params``        number of parameters (counted on the architecture for runnable rows); the
                  demo profile's rows count the network up to the penultimate layer, without
                  the classifier or task head (``tools/param_counts.py``), the other rows the
                  whole network
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
import io
import math
import os
import re
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from importlib import resources as _res
from typing import Iterable

import pandas as pd

from .escape import NOT_IN_NAMES, refused

__all__ = [
    "as_spec",
    "readable_id",
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

# source: lower-case word; arch: letters, digits and "_.+-"; tag: after the last '.'. An id is
# printed in code, file names and prose, so it holds nothing that starts markup or a path.
_ID = re.compile(r"^(?P<source>[a-z_]+)/(?P<arch>[A-Za-z0-9][A-Za-z0-9_.+-]*)\.(?P<tag>[A-Za-z0-9_+-]+)$")
# What the text fields of a row may not hold: names (family, precision, layer names) nothing
# that starts markup on a page; free text (notes, sources, addresses) no tag, role or code.
_NAME_FIELDS = ("family", "precision", "builder", "penultimate", "logits", "display")
_FREE_FIELDS = ("top1_source", "objective_detail", "note", "weights_url")
_NOT_IN_TEXT = "`<>{}"
# Model id -> the ``display`` column of its row, filled as the tables are read.
_DISPLAY: dict[str, str] = {}


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
    def display(self) -> str:
        """The model's name for readers (the table's ``display`` column, or one derived from
        the id when the row leaves it empty).

        Kept out of the dataclass fields on purpose: every cache key is built from the
        fields, and renaming a model for readers must not invalidate its features.
        """
        if self.id not in _DISPLAY:
            _builtin_table()  # a spec built by hand may come before the table was read
        return _DISPLAY.get(self.id) or readable_id(self.id)

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


def readable_id(model_id: str) -> str:
    """A name for readers derived from an id when its row gives none: the architecture and
    the tag in words (``litert/mobilenet_v1_025_128.quant_in1k`` -> ``mobilenet v1 025 128
    (quant in1k)``). Text that is not an id comes back unchanged."""
    match = _ID.match(str(model_id))
    if not match:
        return str(model_id)
    arch, tag = (match[part].replace("_", " ") for part in ("arch", "tag"))
    return f"{arch} ({tag})"


def parse_id(model_id: str) -> tuple[str, str, str]:
    """Split a canonical id into ``(source, arch, tag)``.

    Raises:
        ValueError: the id is not of the form ``source/arch.tag``.
    """
    match = _ID.match(model_id or "")
    if not match:
        raise ValueError(
            f"Model id {model_id!r} is not of the form 'source/arch.tag' with letters, digits and '_.+-' "
            "(e.g. 'torchvision/resnet50.IMAGENET1K_V1')."
        )
    return match["source"], match["arch"], match["tag"]


#: The largest count each numeric column accepts: far above any real model (ViT-22B, among the
#: largest vision models, has about 2.2e10 parameters; Dehghani et al. 2023), low enough that a
#: typo or an overflowing number is caught here rather than as a failed allocation later.
_COUNT_LIMITS = {"params": 10**13, "penultimate_dim": 10**7, "logits_dim": 10**7, "input_size": 10**4}
#: The columns every row must fill; the others may be left out of an extra table.
_REQUIRED = ("id", "source", "arch", "tag", "family", "objective", "training_data",
             "penultimate", "public")


def _number(row: dict, key: str, where: str) -> float | None:
    text = str(row.get(key) or "").strip()
    try:
        return float(text) if text else None
    except ValueError:
        raise ValueError(f"{where}: {key} {text!r} is not a number; write a plain number, or leave it empty.") from None


def _count(row: dict, key: str, where: str) -> int | None:
    """A positive whole number in column ``key`` (empty: None), refusing NaN, fractions and overflow."""
    value, limit = _number(row, key, where), _COUNT_LIMITS[key]
    if value is not None and not (math.isfinite(value) and value == int(value) and 1 <= value <= limit):
        raise ValueError(
            f"{where}: {key} {str(row[key]).strip()!r} is not a whole number from 1 to {limit:,}; write the "
            "count itself (e.g. 25557032, not a fraction, 0, a negative or NaN), or leave it empty when unknown."
        )
    return None if value is None else int(value)


def spec_from_row(row: dict, origin: str = "models.csv") -> ModelSpec:
    """Build a :class:`ModelSpec` from one table row (a dict of strings), validating it.

    Args:
        row: Column name -> text, as ``csv.DictReader`` gives it.
        origin: Where the row comes from, for messages (file and line).

    Raises:
        ValueError: the row is inconsistent (id vs source/arch/tag, unknown source or
            vocabulary, accuracy outside [0, 1], a count that is not a positive whole
            number within reason, ...); the message names ``origin``, the row and the value.
    """
    model_id = row["id"]
    try:
        source, arch, tag = parse_id(model_id)
    except ValueError as err:
        raise ValueError(f"{origin}: {err}") from None
    where = f"{origin} row {model_id!r}"
    if (source, arch, tag) != (row["source"], row["arch"], row["tag"]):
        raise ValueError(
            f"{where}: the id does not match source/arch/tag ({row['source']!r}, {row['arch']!r}, {row['tag']!r})."
        )
    if source not in SOURCES:
        raise ValueError(f"{where}: unknown source {source!r}; known: {SOURCES}.")
    _check_text(row, where)
    top1, zero_shot = (_fraction(row, key, where) for key in ("imagenet_top1", "imagenet_zero_shot"))
    counts = {key: _count(row, key, where) for key in _COUNT_LIMITS}
    for key, vocabulary in (("objective", OBJECTIVES), ("training_data", TRAINING_DATA)):
        if row[key] not in vocabulary:
            close = difflib.get_close_matches(str(row[key]), vocabulary, n=1, cutoff=0.3)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"{where}: {key} {row[key]!r} is not in the vocabulary "
                f"{vocabulary}.{hint} Keep the exact loss in objective_detail."
            )
    public = str(row["public"]).strip().lower()
    if public not in {"true", "false"}:
        raise ValueError(f"{where}: public must be true or false, not {public!r}.")
    display = " ".join(str(row.get("display") or "").split())
    if display:
        _DISPLAY[model_id] = display
    return ModelSpec(
        id=model_id,
        source=source,
        arch=arch,
        tag=tag,
        family=row["family"],
        params=counts["params"],
        imagenet_top1=top1,
        top1_source=row.get("top1_source", ""),
        objective=row["objective"],
        training_data=row["training_data"],
        penultimate=row["penultimate"],
        logits=row.get("logits", ""),
        public=public == "true",
        note=row.get("note", ""),
        builder=row.get("builder", ""),
        penultimate_dim=counts["penultimate_dim"],
        logits_dim=counts["logits_dim"],
        input_size=counts["input_size"],
        weights_url=row.get("weights_url", ""),
        precision=(row.get("precision") or "").strip() or "float32",
        objective_detail=(row.get("objective_detail") or "").strip(),
        imagenet_zero_shot=zero_shot,
    )


def _check_text(row: dict, where: str) -> None:
    """Refuse a text field that holds characters it has no use for (they would start markup
    where the value is shown), naming the field, the value and the character."""
    for keys, characters, line_breaks in ((_NAME_FIELDS, NOT_IN_NAMES, False), (_FREE_FIELDS, _NOT_IN_TEXT, True)):
        for key in keys:
            value = str(row.get(key) or "")
            bad = refused(value, characters, line_breaks)
            if bad is not None:
                raise ValueError(f"{where}: {key} {value[:80]!r} holds {bad!r}, which this field has no use for; "
                                 f"write it without {' '.join(characters)}" + ("." if line_breaks else " or control characters."))


def _fraction(row: dict, key: str, where: str) -> float | None:
    value = _number(row, key, where)
    if value is not None and not 0.0 <= value <= 1.0:  # NaN fails this too
        raise ValueError(f"{where}: {key} {value} is not a fraction in [0, 1].")
    return value


def _parse_table(text: str, origin: str) -> dict[str, ModelSpec]:
    # A byte-order mark would glue itself to the first column's name; newline="" lets the csv
    # module keep line breaks inside quoted fields, and splits lines at \n and \r only.
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{origin}: the header (first line) lacks the columns {missing}; use the columns of models.csv.")
    specs: dict[str, ModelSpec] = {}
    names: dict[str, str] = {}  # display name -> the id that has it
    for row in reader:
        where = f"{origin}, line {reader.line_num}"
        extra, short = row.get(None) or [], [key for key, value in row.items() if value is None]
        if extra or short:
            fault = (f"extra values {extra}" if extra
                     else f"no value for {', '.join(short[:4])}" + (", ..." if len(short) > 4 else ""))
            raise ValueError(
                f"{where}: {len(reader.fieldnames) + len(extra) - len(short)} fields where the header has "
                f"{len(reader.fieldnames)} ({fault}); quote fields that hold commas or line breaks."
            )
        spec = spec_from_row(row, where)
        if spec.id in specs:
            raise ValueError(f"{where}: {spec.id!r} is listed a second time; keep one row per model.")
        shown = " ".join(str(row.get("display") or "").split())
        if shown in names:
            raise ValueError(f"{where}: the display name {shown!r} of {spec.id!r} is already the name of "
                             f"{names[shown]!r}; give each model a name of its own.")
        if shown:
            names[shown] = spec.id
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
            with open(path, encoding="utf-8", newline="") as handle:
                text = handle.read()
        except OSError as err:
            raise ValueError(
                f"{EXTRA_MODELS_ENV} names {path!r}, which cannot be read ({err}); "
                "fix the path or unset the variable."
            ) from err
        except UnicodeDecodeError as err:
            raise ValueError(
                f"{path} is not UTF-8 text (byte {err.object[err.start]:#04x} at offset {err.start}); "
                "save it as UTF-8 and try again."
            ) from None
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
    """The model table as a data frame, one row per model (columns = ModelSpec fields and
    ``display``).

    Args:
        public_only: Drop the rows marked not public.
    """
    specs = [s for s in _table().values() if s.public or not public_only]
    return spec_table(specs)


def spec_table(specs: Iterable[ModelSpec]) -> pd.DataFrame:
    """Specs as a data frame, one row each in the given order (columns = ModelSpec fields,
    then ``display``)."""
    specs = list(specs)
    columns = [f.name for f in fields(ModelSpec)]
    frame = pd.DataFrame([asdict(s) for s in specs], columns=columns)
    frame["display"] = [s.display for s in specs]
    # Nullable integers keep missing counts as <NA> instead of turning the column to float.
    for col in ("params", "penultimate_dim", "logits_dim", "input_size"):
        frame[col] = frame[col].astype("Int64")
    return frame.reset_index(drop=True)
