"""Model names for readers: what tables and charts show in place of a model id.

Each row of the model table has a short, unique ``display`` name
(:attr:`humanalign.registry.ModelSpec.display`); these functions look names up by id and
keep them unique within a table.
"""

from __future__ import annotations

from typing import Iterable

from . import datasets
from .registry import ModelSpec, get_spec, list_models

__all__ = ["HUMAN_NAMES", "arch_name", "display_name", "display_names"]


#: The human references that stand in result tables beside the models, by their ids.
HUMAN_NAMES = {
    "human/noise_ceiling": "Noise ceiling (people's most frequent answer)",
    "human/judgements": "People's judgements (group mean)",
    "human/IT": "Human IT (group mean)",
}


def _human_name(model: str) -> str | None:
    """The name of a human reference id (``human/<embedding>`` takes the data registry's
    label of the embedding), or ``None``."""
    if model in HUMAN_NAMES:
        return HUMAN_NAMES[model]
    if not model.startswith("human/"):
        return None
    name = model.removeprefix("human/")
    if name in datasets.dataset_names("embedding"):
        label = datasets.dataset("embedding", name).label or name
        return f"{label} (human embedding)"
    return None


def display_name(model: ModelSpec | str) -> str:
    """The name tables and charts show for a model.

    Args:
        model: A spec or a model id. A human reference (``human/noise_ceiling``,
            ``human/vice_42d``) gets its name in words (:data:`HUMAN_NAMES`, or the
            embedding's label); another id the registry does not know (a reference model)
            is returned unchanged.

    Returns:
        The row's ``display`` name, e.g. ``"MobileNet v1 0.25 (128 px, uint8)"``.
    """
    if isinstance(model, ModelSpec):
        return model.display
    human = _human_name(str(model))
    if human is not None:
        return human
    try:
        return get_spec(str(model)).display
    except KeyError:
        return str(model)


def display_names(models: Iterable[str]) -> dict[str, str]:
    """Each id's :func:`display_name`, made unique among ``models``: two ids that would
    show the same name (possible only with extra tables) are told apart by their ids.

    Args:
        models: Model ids (or other labels, kept as they are); repeats are fine.

    Returns:
        A dict id -> name, in the order of first appearance.
    """
    ids = list(dict.fromkeys(str(m) for m in models))
    names = {m: display_name(m) for m in ids}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {m: (f"{name} [{m}]" if counts[name] > 1 and name != m else name) for m, name in names.items()}


def arch_name(arch: str) -> str:
    """An architecture id in words (``mobilenet_v2_100_224`` -> ``"MobileNet v2 1.0"``): the
    part of its models' display names before any bracket, when they agree (or one is the
    start of all the others), else their family; an id the registry does not know is
    returned unchanged."""
    table = list_models()
    rows = table[table["arch"] == arch]
    if rows.empty:
        return arch
    stems = {str(d).split(" (")[0].strip() for d in rows["display"]}
    shortest = min(stems, key=len)
    if all(stem == shortest or stem.startswith(shortest + " ") for stem in stems):
        return shortest
    families = set(rows["family"])
    return str(families.pop()) if len(families) == 1 else arch
