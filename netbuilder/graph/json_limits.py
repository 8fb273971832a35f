"""Limits that let a JSON reader refuse hostile text cheaply, with one sentence instead of a crash.

A project file (or a Keras model's `config.json`) comes from anyone: a file
of gigabytes would exhaust memory, and lists nested hundreds deep would
exhaust Python's stack in the first recursive function that meets them,
long before a helpful message could be written. These checks never recurse
and cost less than parsing. `loads` applies them in order: nesting (Python's
parser gives up by itself near a thousand levels; the limit is far below
that), then text that is no text: a lone UTF-16 surrogate, which the JSON
escape `\\ud800` can smuggle into a string and which no file, terminal or
Keras name can take. `read_capped` caps the size before any of it.
"""

from __future__ import annotations

import json
import re
from typing import IO, Any

MAX_BYTES = 64 * 1024 * 1024  # a project of 10,000 layers is about 3 MB; weights never live in the JSON
MAX_DEPTH = 64  # a project nests about 10 deep; Keras configs of models inside models, a few dozen

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonLimitError(ValueError):
    """Text refused by one of the limits; the message is one sentence."""


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def read_capped(file: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    """All of `file`, reading at most `limit` + 1 bytes; JsonLimitError when there is more.

    Reading stops at the cap, so neither a huge file nor an endless one
    (a device, a pipe) is ever held in memory whole.
    """
    data = file.read(limit + 1)
    if len(data) > limit:
        raise JsonLimitError(f"is larger than {megabytes(limit)}, the most netbuilder reads")
    return data


def nests_deeper(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects in a parsed JSON `value` nest more than `limit` deep (the outermost is 1).

    Walked with an explicit stack, visiting containers only: safe at any
    depth, and about half the cost of the parse that made `value`.
    """
    todo: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while todo:
        item, depth = todo.pop()
        if depth > limit:
            return True
        for inner in item.values() if isinstance(item, dict) else item:
            if isinstance(inner, dict | list):
                todo.append((inner, depth + 1))
    return False


def lone_surrogate_at(value: Any) -> str | None:
    """Where the first string (key or value) holding a lone UTF-16 surrogate is, as `a.b[2]`; None if none.

    Walked with an explicit stack, so it is safe at any depth.
    """
    todo: list[tuple[str, Any]] = [("", value)]
    while todo:
        path, item = todo.pop()
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                return path or "the text"
        elif isinstance(item, dict):
            for key, inner in reversed(list(item.items())):
                inner_path = f"{path}.{key}" if path else str(key)
                if _LONE_SURROGATE.search(key):
                    return inner_path
                todo.append((inner_path, inner))
        elif isinstance(item, list):
            todo.extend((f"{path}[{i}]", inner) for i, inner in reversed(list(enumerate(item))))
    return None


def loads(text: str | bytes, max_depth: int = MAX_DEPTH, **json_options: Any) -> Any:
    """`json.loads(text, **json_options)` within the limits; JsonLimitError names the one passed.

    Lone surrogates are looked for only when the text holds an escape that
    could make one, so ordinary files pay nothing for that walk.
    `json.JSONDecodeError` (a ValueError) still says what is wrong with text
    that is not JSON.
    """
    try:
        value = json.loads(text, **json_options)
    except RecursionError:
        raise JsonLimitError(f"lists and objects nest more than {max_depth} levels deep") from None
    if nests_deeper(value, max_depth):
        raise JsonLimitError(f"lists and objects nest more than {max_depth} levels deep")
    raw = text if isinstance(text, str) else text.decode(json.detect_encoding(text), "surrogatepass")
    if _SURROGATE_ESCAPE.search(raw):
        where = lone_surrogate_at(value)
        if where is not None:
            raise JsonLimitError(f"{where}: holds a lone UTF-16 surrogate (an escape such as \\ud800, "
                                 "half of a character), which no file or name can store")
    return value
