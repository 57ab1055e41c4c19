"""humanalign: how well do neural network representations match human similarity judgements?

A replication of Muttenthaler et al., "Human alignment of neural network representations"
(ICLR 2023).
"""

from .config import Settings, settings
from .fetch import DataError, DataNotFoundError, HashMismatchError, Resource, fetch

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "DataNotFoundError",
    "HashMismatchError",
    "Resource",
    "Settings",
    "fetch",
    "settings",
]
