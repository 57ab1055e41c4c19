"""Names a package hands on from its modules, imported on first use (PEP 562).

A package face lists where each name lives; ``import humanalign`` and
``from humanalign import study`` then stay light, and torch is loaded only when a name that
needs it is first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable

__all__ = ["lazy_names"]


def lazy_names(package: str, homes: dict[str, str], namespace: dict,
               modules: frozenset[str] = frozenset()) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package face.

    Args:
        package: The package's ``__name__``.
        homes: Public name -> the submodule (relative to ``package``) that defines it.
        namespace: The package's ``globals()``; a name is stored there once imported.
        modules: Submodule names that may be reached as attributes (``study.runs``).
    """
    def __getattr__(name: str) -> object:
        if name in modules:
            return import_module(f".{name}", package)
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f".{homes[name]}", package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(homes))

    return __getattr__, __dir__
