"""Reading Keras' Google-style docstrings into palette text.

The palette tooltip is a layer's first paragraph and the inspector's tooltip
for a setting is that setting's entry under "Args:", so users read Keras' own
words. Keras layers document most arguments in the class docstring and leave
shared ones (`data_format`, `seed`, ...) to base classes, so callers look up
the whole MRO.
"""

from __future__ import annotations

import inspect
import re

# Code examples in some docstrings sit at column 0, so sections are found at any indent.
_ARGS_HEADER = re.compile(r"^\s*(Args|Arguments):\s*$")
_ENTRY = re.compile(r"^\**(\w+)(?:\s*\([^)]*\))?\s*:\s*(.*)$")  # "units: Positive integer, ..."


def summary(doc: str | None) -> str:
    """The first paragraph, joined into one line."""
    lines = inspect.cleandoc(doc or "").splitlines()
    paragraph: list[str] = []
    for line in lines:
        if not line.strip():
            if paragraph:
                break
            continue
        paragraph.append(line.strip())
    return " ".join(paragraph)


def arguments(doc: str | None) -> dict[str, str]:
    """Each argument documented under "Args:", mapped to its description.

    Continuation lines are joined with spaces; bullet items ("- ...") keep a
    line of their own so lists of options stay readable in a tooltip.
    """
    found: dict[str, list[str]] = {}
    header_indent: int | None = None  # None: not inside an "Args:" section
    entry_indent: int | None = None
    current: list[str] | None = None
    for line in inspect.cleandoc(doc or "").splitlines():
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if _ARGS_HEADER.match(line):
            header_indent, entry_indent, current = indent, None, None
            continue
        if header_indent is None or not stripped:
            continue
        if indent <= header_indent:  # the next section ("Input shape:", "Example:", ...)
            header_indent = None
            continue
        if entry_indent is None:
            entry_indent = indent
        entry = _ENTRY.match(stripped) if indent == entry_indent else None
        if entry:
            current = found.setdefault(entry.group(1), [])
            if entry.group(2):
                current.append(entry.group(2))
        elif current is not None:
            current.append(stripped)
    return {name: _join(parts) for name, parts in found.items()}


def _join(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if not text:
            text = part
        elif part.startswith("- "):
            text += "\n" + part
        else:
            text += " " + part
    return text
