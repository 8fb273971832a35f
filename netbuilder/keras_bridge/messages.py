"""Turn shapes and Keras exceptions into short sentences a user can act on.

Keras' own errors are precise but long (stack context, argument dumps). The
canvas and the command line show one line per node, so we keep Keras' first
meaningful sentence and rewrite the few that users meet most often.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

ELEMENTWISE_MERGES = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}

_NDIM = re.compile(r"expected (?:min_)?ndim=(\d+), found ndim=(\d+)\. Full shape received: (\([^)]*\))")
_NOISE = re.compile(r"^(Exception encountered when calling|Arguments received by)")
# Keras makes some words bold for a terminal; a panel or a log would show the codes themselves.
_TERMINAL_STYLE = re.compile(r"\x1b\[[0-9;]*m")


def fmt_shape(shape: Sequence[Any] | None) -> str:
    """`(None, 4)` the way Keras prints shapes; one-element tuples keep their comma."""
    if shape is None:
        return "unknown"
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def join_shapes(shapes: Sequence[Sequence[Any]]) -> str:
    parts = [fmt_shape(s) for s in shapes]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def clean_keras_error(exc: BaseException) -> str:
    """The first meaningful sentence of a Keras error, rewritten where we know better."""
    text = _TERMINAL_STYLE.sub("", str(exc)).strip() or type(exc).__name__
    match = _NDIM.search(text)
    if match:
        want, _got, shape = match.groups()
        return f"expects a {want}-D input (batch included), got shape {shape}"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not _NOISE.match(ln.strip())]
    line = lines[0] if lines else text.splitlines()[0]
    line = line.removeprefix("ValueError: ").strip()
    return line if len(line) <= 300 else line[:297] + "…"


def _compatible(a: Any, b: Any) -> bool:
    return a is None or b is None or a == b or a == 1 or b == 1


def merge_problem(layer: str, config: dict[str, Any], shapes: list[tuple[Any, ...]]) -> str | None:
    """Why a merge layer cannot combine these shapes, said before Keras says it worse."""
    if len(shapes) < 2:
        return None
    if layer in ELEMENTWISE_MERGES:
        ranks = {len(s) for s in shapes}
        ok = len(ranks) == 1 and all(
            all(_compatible(x, y) for x, y in zip(shapes[0], s)) for s in shapes[1:]
        )
        if not ok:
            return f"inputs have shapes {join_shapes(shapes)}; {layer} needs equal shapes"
    if layer == "Concatenate":
        axis = config.get("axis", -1)
        if not isinstance(axis, int):
            return None
        ranks = {len(s) for s in shapes}
        if len(ranks) != 1:
            return f"inputs have shapes {join_shapes(shapes)}; Concatenate needs inputs of the same rank"
        rank = ranks.pop()
        if not -rank <= axis < rank:
            return f"axis {axis} is out of range for inputs of rank {rank}"
        cut = axis % rank
        trimmed = [tuple(d for i, d in enumerate(s) if i != cut) for s in shapes]
        if not all(all(_compatible(x, y) for x, y in zip(trimmed[0], t)) for t in trimmed[1:]):
            return (
                f"inputs have shapes {join_shapes(shapes)}; "
                f"Concatenate needs equal shapes except along axis {axis}"
            )
    return None
