"""What a node says about itself on the canvas: its key settings and its output shape, as short text.

Plain functions of the document (no Qt), so the wording is easy to test and the
same text can serve tooltips and the summary.
"""

from __future__ import annotations

from typing import Any, Sequence

from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER, Node

# The settings a user looks for first, in the order they are shown.
_KEY_SETTINGS: tuple[tuple[str, str], ...] = (
    ("units", "{} units"),
    ("filters", "{} filters"),
    ("kernel_size", "kernel {}"),
    ("pool_size", "pool {}"),
    ("strides", "stride {}"),
    ("num_heads", "{} heads"),
    ("key_dim", "key {}"),
    ("output_dim", "dim {}"),
    ("rate", "rate {}"),
    ("target_shape", "to {}"),
    ("axis", "axis {}"),
    ("activation", "{}"),
)


def fmt_shape(shape: Sequence[Any] | None) -> str:
    """`(None, 4)` the way Keras prints shapes."""
    if shape is None:
        return "?"
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _short(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (list, tuple)):
        if value and all(v == value[0] for v in value) and len(value) == 2:
            return f"{value[0]}×{value[1]}"
        return "×".join("?" if v is None else str(v) for v in value)
    if isinstance(value, dict):
        name = value.get("class_name")
        return str(name) if isinstance(name, str) else None
    return str(value)


def key_settings(node: Node) -> str:
    """e.g. "32 units · relu", "3×3 · 16 filters", "shape 28×28×1"; "" when nothing stands out."""
    if node.layer == INPUT_LAYER:
        shape = _short(node.config.get("shape"))
        return f"shape {shape}" if shape else ""
    if node.layer == SUBMODEL_LAYER:
        return f"sub-model {node.config.get('submodel', '?')}"
    parts: list[str] = []
    for key, pattern in _KEY_SETTINGS:
        if key in node.config:
            text = _short(node.config[key])
            if text and not (key == "activation" and text == "linear"):
                if text == "1" and pattern.endswith("s"):
                    pattern = pattern[:-1]  # "1 unit", "1 filter"
                parts.append(pattern.format(text))
    return " · ".join(parts)  # in full: the card cuts it at a word if it must (card_text.py)


def shapes_text(shapes: Sequence[Sequence[Any]] | None) -> str:
    """The output line of a node: "→ (None, 32)", several shapes joined, "→ ?" when unknown."""
    if not shapes:
        return "→ ?"
    return "→ " + ", ".join(fmt_shape(s) for s in shapes)
