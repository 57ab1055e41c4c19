"""Text that did not come from this package's source, made safe for where it lands on a page.

A model id, a family name or a profile file name is data: it comes from a model table, a
profile or a ``.mat`` file that anyone may write. Whatever a page shows of such text goes
through one of these functions, chosen by the place it lands in:

:func:`markdown`
    running MyST text (a sentence, a table cell, an admonition's body);
:func:`code`
    an inline code span (a model id set in monospace);
:func:`html_text`
    HTML text or a quoted attribute value;
:func:`script_json`
    a JSON value inside a ``<script>`` element;
:func:`csv_cell`
    a cell of a CSV file a reader opens in a spreadsheet;
:func:`shell_word`
    one argument of a shell command shown for copying;
:func:`page_path`
    a file named on a published page (relative to the project, or by its name alone);
:func:`file_name`
    a label that becomes part of a file name (letters, digits and ``._-`` only).

Text written by our own code (the markup of an admonition, the words of a verdict) is not
escaped: the functions are for the values pasted into it.
"""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import unicodedata
from pathlib import Path, PurePath
from typing import Any

__all__ = ["NOT_IN_NAMES", "code", "csv_cell", "file_name", "html_text", "markdown", "one_line", "page_path", "refused",
           "script_json", "shell_word"]

# Characters that start markup anywhere in a line of MyST: emphasis, code, links and images,
# raw HTML and autolinks, entities, table cells, roles, maths and strikethrough.
_INLINE = frozenset("\\`*[]<>&|{}$~")
# Characters that start a block only at the beginning of a line: a heading, a quote, a list,
# a thematic or block break, a comment, a target or a colon fence.
_LINE_START = frozenset("#>+-=%:(!")
_ORDERED = re.compile(r"^(\d{1,9})([.)])")
# Line and paragraph separators; a value is shown on one line.
_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


#: What a name (a model's family, a profile's name) has no use for: characters that start markup
#: where a page shows it. Names hold no control characters either (:func:`refused`).
NOT_IN_NAMES = "`<>{}[]|\\*$&\""


def refused(text: str, characters: str = NOT_IN_NAMES, line_breaks: bool = False) -> str | None:
    """The first character of ``text`` that is among ``characters`` or is a control or
    invisible formatting character (line breaks too, unless ``line_breaks``), or ``None``.

    What a table or profile field is checked with when it is read, so that a value is refused
    with its file, line and field rather than shown.
    """
    for char in str(text):
        if char in characters:
            return char
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and not (line_breaks and char in "\r\n\u2028"):
            return char
    return None


def one_line(value: Any) -> str:
    """``value`` as text on one line: line breaks become spaces, other control characters
    (including the invisible ones that reorder text) are dropped, ends trimmed."""
    text = _BREAKS.sub(" ", str(value))
    return "".join(c for c in text if c == " " or unicodedata.category(c) not in ("Cc", "Cf")).strip()


def markdown(value: Any) -> str:
    """``value`` as literal running text in MyST: no character of it starts markup.

    Every character that could open emphasis, code, a link, an image, raw HTML, an entity,
    a table cell, a role (``{doc}``), maths or a block (at the start) is escaped with a
    backslash, which CommonMark defines for every ASCII punctuation character; the page shows
    the text as it was. An underscore between two letters or digits (``vit_base_patch16``)
    opens nothing and is left alone, so that common ids read the same in the source.

    Example:
        >>> markdown("a <img src=x onerror=alert(1)> *b*")
        'a \\\\<img src=x onerror=alert(1)\\\\> \\\\*b\\\\*'
    """
    text = one_line(value)
    out = []
    for i, char in enumerate(text):
        if char in _INLINE:
            out.append("\\" + char)
        elif char == "_" and not (0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()):
            out.append("\\_")
        else:
            out.append(char)
    escaped = "".join(out)
    if escaped[:1] in _LINE_START:
        return "\\" + escaped
    return _ORDERED.sub(r"\1\\\2", escaped, count=1)


def code(value: Any, in_table: bool = False) -> str:
    """``value`` as an inline code span: the fence is one backtick longer than any run of
    backticks inside, so that nothing in the value can close it.

    Args:
        value: The text (shown on one line).
        in_table: The span sits in a cell of a pipe table, where ``|`` ends the cell even
            inside code; it is escaped as the table syntax asks.
    """
    text = one_line(value) or " "
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "  # one space each side is dropped by the parser
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def html_text(value: Any) -> str:
    """``value`` as HTML text, safe in an element or a double- or single-quoted attribute."""
    return html.escape(str(value), quote=True)


def script_json(value: Any) -> str:
    """``value`` as JSON that can sit inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``, ``\\u003e`` and ``\\u0026`` (the same
    string to a JSON reader), so that no ``</script>``, ``<!--`` or ``<script`` in the data
    changes how the browser reads the page; U+2028 and U+2029 are escaped as well.
    """
    text = json.dumps(value, ensure_ascii=True, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# A cell that starts with one of these is read as a formula by spreadsheets (OWASP, CSV
# injection); the full-width forms are read so by some of them too.
_FORMULA = tuple("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def csv_cell(value: Any) -> Any:
    """A cell value that a spreadsheet shows as text, never runs as a formula.

    Text that starts (after any spaces) with ``=``, ``+``, ``-``, ``@``, a tab or a line
    break gets a leading apostrophe, as the OWASP guidance on CSV injection advises. Numbers,
    and text that is a plain number (``-0.5``), are returned as they are.
    """
    if not isinstance(value, str):
        return value
    if value.lstrip(" ").startswith(_FORMULA) and not _PLAIN_NUMBER.match(value.strip()):
        return "'" + value
    return value


def shell_word(value: Any) -> str:
    """``value`` as one word of a POSIX shell command, quoted where needed; a value with
    control characters (a line break in a file name) is written in bash's ``$'...'`` form,
    so that the command stays on one line."""
    text = str(value)
    if not any(unicodedata.category(c) == "Cc" for c in text):
        return shlex.quote(text)
    inner = "".join(c if c.isprintable() and c not in "\\'" else f"\\x{ord(c):02x}" if ord(c) < 0x100
                    else f"\\u{ord(c):04x}" for c in text)
    return f"$'{inner}'"


def file_name(value: Any, default: str = "file") -> str:
    """``value`` as a plain file name: accents dropped, every run of other characters one
    ``-``: ``mein Profil é`` -> ``mein-Profil-e`` (``default`` when nothing is left)."""
    ascii_ = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_).strip("-._") or default


def page_path(path: str | os.PathLike, root: str | os.PathLike | None = None) -> str:
    """How a published page names a file: relative to ``root`` (the project) when it lies
    inside it, else by its name alone; a relative path is kept as it is. The folders of the
    machine that built the page mean nothing to a reader.
    """
    pure = PurePath(os.fspath(path))
    if not pure.is_absolute():
        return pure.as_posix()
    if root is not None:
        try:
            return Path(pure).resolve().relative_to(Path(root).resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return pure.name
