"""The package's shape: layers that import only downwards, no import circle, small modules
and functions, and no block of code written twice.

Each rule is checked on the source text (nothing is imported or run), so a change that
breaks one fails here with the file and line to look at.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "lib" / "humanalign"
# The floors of the house, lowest first: a module may import its own floor's package
# (inside it) and anything below, never above.
FLOORS = (
    ("errors", "escape"),
    ("config", "_atomic", "_yaml"),
    ("fetch",),
    ("sources", "registry"),
    ("cache",),
    ("datasets",),
    ("names",),
    ("profile_files",),
    ("profiles",),
    ("models",),
    ("features",),
    ("measures",),
    ("results", "plots", "tables", "pages", "paper", "vocabulary"),
    ("study",),
    ("book",),
    ("cli", "__init__"),
    ("__main__",),
)
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60  # lines of code: blank lines, comments and the docstring not counted
REPEAT_LINES = 6


def _modules() -> dict[str, Path]:
    """Dotted name under ``humanalign`` -> file, e.g. ``study.runs``."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)
        out[name] = path
    return out


def _top(name: str) -> str:
    return name.split(".")[0]


def _floor(name: str) -> int:
    for i, floor in enumerate(FLOORS):
        if _top(name) in floor:
            return i
    raise AssertionError(f"humanalign.{name} is on no floor of tests/test_structure.py; add it to FLOORS.")


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules a file imports, at its top or inside functions."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
            elif (node.module or "").startswith("humanalign"):
                base, node = [], ast.ImportFrom(module=node.module[len("humanalign") + 1:] or None,
                                                names=node.names, level=0)
            else:
                continue
            stem = base + (node.module.split(".") if node.module else [])
            targets = [".".join(stem + [a.name]) for a in node.names] + [".".join(stem)]
        elif isinstance(node, ast.Import):
            targets = [a.name[len("humanalign") + 1:] for a in node.names if a.name.startswith("humanalign.")]
        for target in targets:
            if target in known and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def test_every_module_imports_only_its_own_floor_or_below():
    wrong = []
    for name, targets in _graph().items():
        for target in targets:
            same_package = _top(target) == _top(name)
            if _floor(target) > _floor(name) or (_floor(target) == _floor(name) and not same_package):
                wrong.append(f"humanalign.{name} imports humanalign.{target}")
    assert not wrong, "imports that run upwards or sideways:\n" + "\n".join(sorted(wrong))


def test_no_import_circle():
    # A package's face (its __init__) hands its own modules' names on: those arrows are left out.
    graph = {name: {t for t in targets if not t.startswith(name + ".")} for name, targets in _graph().items()}
    state: dict[str, int] = {}
    circles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not circles, "import circles:\n" + "\n".join(circles)


def test_modules_are_small():
    big = {str(p.relative_to(ROOT)): n for p in _modules().values()
           if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert not big, f"modules over {MAX_MODULE_LINES} lines: {big}"


def code_lines(source: str, node: ast.AST) -> int:
    """Lines of code of a function: blank lines, comments and the docstring not counted."""
    lines = source.splitlines()[node.lineno - 1: node.end_lineno]
    doc = set()
    first = node.body[0] if node.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        doc = set(range(first.lineno, first.end_lineno + 1))
    return sum(1 for i, line in enumerate(lines, start=node.lineno)
               if line.strip() and not line.strip().startswith("#") and i not in doc)


def test_functions_are_short():
    long = []
    for path in _modules().values():
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = code_lines(source, node)
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({n} lines)")
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines of code:\n" + "\n".join(long)


def repeated_blocks(files: dict[str, str], size: int = REPEAT_LINES) -> list[str]:
    """Runs of ``size`` lines of code that stand in two places, verbatim but for indentation.

    Lines without a letter or digit (closing brackets) and import lines are skipped; a run
    must hold at least ``size`` substantial lines.
    """
    seen: dict[tuple[str, ...], tuple[str, int]] = {}
    repeats = []
    for name, text in files.items():
        kept = [(i + 1, line.strip()) for i, line in enumerate(text.splitlines())
                if any(ch.isalnum() for ch in line) and not line.strip().startswith(("#", "import ", "from "))]
        for k in range(len(kept) - size + 1):
            window = tuple(line for _, line in kept[k:k + size])
            here = (name, kept[k][0])
            first = seen.setdefault(window, here)
            # The same file a few lines on is one run of a repeated line, not a second block.
            if first != here and (first[0] != name or here[1] - first[1] >= size):
                repeats.append(f"{first[0]}:{first[1]} ~ {name}:{here[1]}")
    return repeats


def test_repeated_blocks_are_found():
    block = "\n".join(f"value_{i} = compute({i})" for i in range(6))
    assert repeated_blocks({"a.py": block + "\n", "b.py": "x = 1\n" + block + "\n"}) == ["a.py:1 ~ b.py:2"]
    assert repeated_blocks({"a.py": block.replace("value_5", "other") + "\n", "b.py": block + "\n"}) == []


def test_no_block_is_written_twice():
    files = {str(p.relative_to(ROOT)): p.read_text() for p in _modules().values()}
    repeats = repeated_blocks(files)
    assert not repeats, f"blocks of {REPEAT_LINES}+ lines written twice:\n" + "\n".join(repeats)


@pytest.mark.parametrize("module", ["study", "book", "models", "measures", "datasets"])
def test_each_package_is_on_one_floor(module):
    assert any(m == module or m.startswith(module + ".") for m in _modules())
    _floor(module)
