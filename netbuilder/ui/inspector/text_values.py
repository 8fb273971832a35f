"""Turning what the user types in an inspector field into a config value, and back.

Each setting kind has a parser (text → JSON-able value, or `ParseError` with a
sentence for the user) and a formatter (value → the text shown). They are plain
functions with no Qt so the rules are easy to read in one place: "3, 3",
"(3, 3)", "[3,3]", "3 3", "3x3" and "3×3" are all a kernel size (the way shapes
are written in papers and on the cards), "None" is a null where one is
allowed, and JSON is read with `json.loads` only, never evaluated.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from netbuilder.catalog.config_check import show
from netbuilder.catalog.spec import ParamSpec

NONE_TEXT = "None"
# Between the numbers of a tuple: a comma, an "x" or "×" as in 28×28×1, or plain spaces.
_SEPARATORS = re.compile(r"\s*[,x×X]\s*|\s+")
_NONE_WORDS = (NONE_TEXT, "none", "null")
# Help text that starts "int or tuple…" / "Integer, …": a bare number is a valid
# value, which Keras itself expands (kernel_size=3 means 3×3). Not "An integer tuple".
_TAKES_ONE_INT = re.compile(r"^\s*(an?\s+)?(int|integer)\b(?!\s+tuple)", re.IGNORECASE)
_CAMEL_WORD = re.compile(r"(.)([A-Z][a-z0-9]+)")
_CAMEL_TAIL = re.compile(r"([a-z])([A-Z])")


class ParseError(ValueError):
    """Text that is not a value of the field's kind; the message is shown at the field."""


def _missing(name: str) -> ParseError:
    return ParseError(f"{name} needs a value")


def parse_int(name: str, text: str, nullable: bool) -> int | None:
    stripped = text.strip()
    if not stripped or stripped == NONE_TEXT:
        if nullable:
            return None
        raise _missing(name)
    try:
        return int(stripped)
    except ValueError:
        raise ParseError(f"{name} must be a whole number, got {show(stripped)}") from None


def parse_float(name: str, text: str, nullable: bool) -> float | None:
    stripped = text.strip()
    if not stripped or stripped == NONE_TEXT:
        if nullable:
            return None
        raise _missing(name)
    try:
        value = float(stripped)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ParseError(f"{name} must be a number, got {show(stripped)}")
    return value


def takes_one_int(param: ParamSpec) -> bool:
    """Whether Keras accepts a single number for this tuple setting (its docs say so)."""
    return bool(_TAKES_ONE_INT.search(param.help))


def parse_ints(name: str, text: str, *, nullable: bool, open_dims: bool,
               bare_int: bool) -> int | list[int | None] | None:
    """A whole number or a list of them: "3", "3, 3", "(3, 3)", "[3,3]", "3 3", "3x3" or "3×3".

    `open_dims` lets entries be "None" (a dimension that varies); `bare_int`
    keeps a lone number without brackets as a number instead of a list of one.
    A trailing comma is Python's tuple of one ("(8,)"); any other empty entry
    ("28x", "3,,3") is refused rather than guessed at.
    """
    stripped = text.strip()
    if not stripped or (nullable and stripped == NONE_TEXT):
        if nullable:
            return None
        raise _missing(name)
    bracketed = stripped[0] in "([" and stripped[-1] in ")]"
    inner = (stripped[1:-1] if bracketed else stripped).strip()
    inner = inner[:-1].rstrip() if inner.endswith(",") else inner
    parts = _SEPARATORS.split(inner) if inner else []
    example = "28x28x1 or None, 4" if open_dims else "3, 3 or 3x3"
    refusal = ParseError(f"{name} must be a whole number or a list of them such as {example}, got {show(stripped)}")
    if "" in parts:
        raise refusal
    values: list[int | None] = []
    for part in parts:
        if open_dims and part in _NONE_WORDS:
            values.append(None)
            continue
        try:
            values.append(int(part))
        except ValueError:
            raise refusal from None
    single = len(values) == 1 and not bracketed and "," not in stripped
    if single and bare_int and values[0] is not None:
        return values[0]
    return values


def parse_json(name: str, text: str, nullable: bool) -> Any:
    stripped = text.strip()
    if not stripped or (nullable and stripped == NONE_TEXT):
        if nullable:
            return None
        raise _missing(name)
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as error:
        raise ParseError(f"{name} must be JSON such as [1, 2], \"text\" or {{\"key\": 1}} "
                         f"({error.msg} at character {error.pos + 1})") from None


def parse_text(name: str, text: str, nullable: bool) -> str | None:
    if nullable and not text:
        return None
    return text


def parse_object_name(name: str, text: str, nullable: bool) -> str | None:
    """An activation, initializer, … by name; "None" or nothing clears a nullable one."""
    stripped = text.strip()
    if not stripped or stripped == NONE_TEXT:
        if nullable:
            return None
        raise _missing(name)
    return stripped


def parse_layer_name(text: str) -> str | None:
    """The node's Keras name; empty means "use the node id" (None)."""
    return text.strip() or None


def format_number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return format_json(value)


def format_ints(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and all(v is None or isinstance(v, int) for v in value):
        return ", ".join(NONE_TEXT if v is None else str(v) for v in value)
    return format_json(value)


def format_json(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False)


def format_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else format_json(value)


def choice_label(value: Any) -> str:
    """How one entry of a fixed list of choices reads in a menu."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool):
        return str(value)
    return format_json(value)


def keras_alias(class_name: str) -> str:
    """Keras' snake_case name for a class: GlorotUniform → glorot_uniform, L1L2 → l1_l2."""
    return _CAMEL_TAIL.sub(r"\1_\2", _CAMEL_WORD.sub(r"\1_\2", class_name)).lower()


def object_label(value: Any, choices: list[str]) -> str:
    """A named Keras object as the user would type it.

    Serialized configs read as their short name: a dtype policy as its dtype
    ("float32"), an initializer as its alias ("glorot_uniform") when that is
    one of the choices, else as its class name.
    """
    if value is None:
        return NONE_TEXT
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        class_name = value["class_name"]
        config = value.get("config")
        if class_name.endswith("DTypePolicy") and isinstance(config, dict) \
                and isinstance(config.get("name"), str):
            return config["name"]
        alias = keras_alias(class_name)
        return alias if alias in choices else class_name
    return format_json(value)


def same_value(a: Any, b: Any) -> bool:
    """Equal as config values: 1, 1.0 and True differ, as they do to Keras."""
    try:
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    except (TypeError, ValueError):
        return a == b
