"""Strict, bounded reading of the small YAML files a user writes (profiles).

A hostile or careless file must fail fast with one line naming the file and the line:
the size read is bounded, the text must be UTF-8, and the YAML features a settings file
never needs are refused before any value is built: anchors and aliases (a few hundred bytes
of nested aliases expand to gigabytes, the "billion laughs"), merge keys, and a key written
twice (YAML would silently keep the last value).
"""

from __future__ import annotations

import reprlib
from pathlib import Path

import yaml

__all__ = ["read_yaml", "shown"]

# Messages quote values through this: a 10 MB string or a deeply nested list is cut short.
_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxlevel = 60, 60, 40, 6, 4, 3


def shown(value: object) -> str:
    """``repr(value)`` cut to a few dozen characters, for an error message."""
    try:
        return _SHORT.repr(value)
    except ValueError:  # an integer with more digits than Python will print
        return f"<{type(value).__name__} too large to show>"


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that a settings file may not hold."""

    def __init__(self, problem: str, mark):
        super().__init__(problem=problem, problem_mark=mark)


class _StrictLoader(yaml.SafeLoader):
    """The safe loader without anchors, aliases, merge keys and repeated keys."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("anchors and aliases (&name, *name) are not allowed here; write each value out.",
                           event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("merge keys (<<) are not allowed here; write each key out.", key_node.start_mark)
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base class refuses it below
            if first is not None:
                raise _Refused(f"the key {shown(key)} appears twice (lines {first} and {line}); keep one of them.",
                               key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep)


def read_yaml(path: Path, what: str, max_bytes: int) -> object:
    """The value of a small YAML file, read strictly.

    Args:
        path: The file.
        what: How messages name it (``"Profile file"``).
        max_bytes: Larger files are refused without being read further.

    Raises:
        ValueError: unreadable, too large, not UTF-8, not valid YAML, or using anchors,
            aliases, merge keys or a key twice; one line naming the file (and the line).
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as err:
        raise ValueError(f"{what} {path} cannot be read ({err.strerror or err}).") from None
    if len(data) > max_bytes:
        raise ValueError(f"{what} {path} holds more than {max_bytes:,} bytes; it should be a short YAML file.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{what} {path} is not UTF-8 text (byte {err.start + 1} is not valid UTF-8); it should be a YAML "
                         "text file.") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - the safe loader, minus features
    except _Refused as err:
        raise ValueError(f"{what} {path}, line {err.problem_mark.line + 1}: {err.problem}") from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValueError(f"{what} {path} is not valid YAML{where}: {err.problem or err.context}.") from None
    except RecursionError:
        raise ValueError(f"{what} {path} nests lists or mappings thousands of levels deep; it should be a short "
                         "YAML file.") from None
    except (yaml.YAMLError, ValueError) as err:  # ValueError: an integer of more digits than Python converts
        raise ValueError(f"{what} {path} cannot be read as YAML: {shown(str(err))}.") from None
