"""What a study run calls out to, passed in as one argument: the model registry and the
feature extractor; plus the result cache every run goes through.

Every run function takes ``tools: Toolkit | None``; ``None`` means the real registry and
:func:`humanalign.features.extract_features`. Tests pass a :class:`Toolkit` of small fakes
(a few specs, features with planted structure) and so run the real measures without networks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from .. import features, registry, results
from ..config import Settings
from ..errors import DataError
from ..registry import ModelSpec
from .profiles import Profile

__all__ = ["Toolkit", "cached", "default_toolkit", "features_for", "layers_of", "resolve", "specs_of"]


@dataclass(frozen=True)
class Toolkit:
    """The services a run uses.

    Attributes:
        get_spec: Model id -> :class:`~humanalign.registry.ModelSpec`.
        extract: ``extract(spec, stimuli, layer=..., batch_size=..., device=..., progress=...)``
            -> (n, d) float32 features (:func:`humanalign.features.extract_features`).
        list_models: The model table (:func:`humanalign.registry.list_models`), for metadata.
    """

    get_spec: Callable[[str], ModelSpec]
    extract: Callable[..., np.ndarray]
    list_models: Callable[..., pd.DataFrame]


def default_toolkit() -> Toolkit:
    """The real registry and feature extractor."""
    return Toolkit(registry.get_spec, features.extract_features, registry.list_models)


def resolve(tools: Toolkit | None) -> Toolkit:
    """``tools``, or the real registry and extractor when it is ``None``."""
    return tools if tools is not None else default_toolkit()


def specs_of(profile: Profile, tools: Toolkit | None = None) -> list[ModelSpec]:
    """The specs of a profile's models, in its order: each id is resolved here, once."""
    return [resolve(tools).get_spec(m) for m in profile.models]


def layers_of(spec: ModelSpec, profile: Profile) -> list[str]:
    """The profile's layers that a model has (a model published without its classifier, an
    embedding model, has no logits layer)."""
    return [layer for layer in profile.layers if layer != "logits" or spec.logits]


def features_for(spec: ModelSpec, layer: str, profile: Profile, stimuli, tools: Toolkit | None = None) -> np.ndarray:
    """(n, d) float32 features of some stimuli (cached by the features module)."""
    return resolve(tools).extract(spec, stimuli, layer=layer, batch_size=profile.batch_size,
                                 device=profile.device, progress=False)


def cached(name: str, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The cached result table ``name``, or compute it and cache it with the features it used."""
    try:
        return results.load_results(name)
    except DataError:
        pass  # not computed yet, or no longer matching its record or its features
    with features.record_use() as used:
        table = compute()
    results.save_results(table, name, inputs=used)
    return table

