"""Plain data describing a layer for the palette, the inspector and the checks.

These classes hold only JSON-able values so the whole catalog can be cached to
disk and read back without importing TensorFlow (the GUI lists layers while
TensorFlow is still loading).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# How a layer receives its inputs when called:
#   "single"     layer(x)                     one input port
#   "list"       layer([x0, x1, ...])         merge layers, Attention
#   "positional" layer(x0, x1, ...)           MultiHeadAttention(query, value, key)
INPUT_MODES = ("single", "list", "positional")

# Parameter kinds the inspector knows how to edit.
PARAM_KINDS = (
    "int", "float", "bool", "str", "choice", "ints",  # ints: tuple/list of ints (kernel_size, strides…)
    "activation", "initializer", "regularizer", "constraint", "dtype", "layer", "any",
)


@dataclass
class ParamSpec:
    """One constructor argument, described in Keras' `get_config()` vocabulary."""

    name: str
    kind: str
    default: Any = None  # the value Keras' get_config() reports when left alone
    required: bool = False  # the constructor has no default; `seed` holds a value
    nullable: bool = False  # None is an accepted value
    choices: list[Any] | None = None
    minimum: float | None = None  # inclusive lower bound for numbers, when known
    help: str = ""


@dataclass
class LayerSpec:
    """Everything netbuilder knows about one Keras layer class."""

    name: str  # the class name in keras.layers, e.g. "Conv2D"
    category: str  # palette group, e.g. "Convolution"
    doc: str = ""  # first paragraph of the docstring
    params: list[ParamSpec] = field(default_factory=list)
    seed: dict[str, Any] = field(default_factory=dict)  # values for required arguments
    input_mode: str = "single"
    min_inputs: int = 1
    max_inputs: int | None = 1  # None: any number
    port_names: list[str] = field(default_factory=list)
    # For the palette's default Input and for the per-layer test: the example input
    # shapes (without batch) and dtype that this layer accepts.
    example_inputs: list[list[int]] = field(default_factory=lambda: [[8]])
    example_dtype: str = "float32"
    aliases: list[str] = field(default_factory=list)

    def param(self, name: str) -> ParamSpec | None:
        for p in self.params:
            if p.name == name:
                return p
        return None

    def defaults(self) -> dict[str, Any]:
        """The get_config() values of a freshly made layer (seeded where required)."""
        return {p.name: p.default for p in self.params}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LayerSpec":
        data = dict(data)
        data["params"] = [ParamSpec(**p) for p in data.get("params", [])]
        return cls(**data)
