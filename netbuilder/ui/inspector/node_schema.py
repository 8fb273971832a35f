"""What the inspector shows and checks for one node, whatever kind of node it is.

Catalog layers describe themselves with `LayerSpec`s; the model-input node,
sub-model nodes and layers the catalog does not know are not in the catalog,
so this module gives them the same shape (a title, a doc line, a list of
`ParamSpec`s and a check) and the form never has to ask which kind it holds.
It also decides which settings sit under "Advanced", so the common ones are
visible at a glance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from netbuilder.catalog import Catalog, LayerSpec, ParamSpec, check_config
from netbuilder.catalog.config_check import check_value
from netbuilder.catalog.config_check import name_problem as config_name_problem
from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER, Node

NAME_KEY = "name"
INPUT_DTYPES = ["float32", "float16", "bfloat16", "float64", "int32", "int64", "uint8", "bool",
                "string"]
INPUT_DOC = ("The model's input: the shape of one sample (without the batch size) and its "
             "type. Write None for a dimension that varies, such as the length of a sequence.")
SUBMODEL_DOC = ("Runs a sub-model of this project as one layer; it takes one input per Input "
                "node of that sub-model, in order.")

# Settings most users never touch; a catalog layer's required ones are never hidden.
_ADVANCED_KINDS = frozenset({"initializer", "regularizer", "constraint", "dtype"})
_ADVANCED_NAMES = frozenset({
    "trainable", "autocast", "data_format", "seed", "lora_rank", "lora_alpha",
    "quantization_config", "weights", "synchronized", "input_dim", "input_shape",
})

_INPUT_PARAMS = [
    ParamSpec("shape", "ints", required=True, minimum=1,
              help="The size of one sample without the batch size, e.g. 28, 28, 1. "
                   "Write None for a dimension that varies."),
    ParamSpec("dtype", "choice", default="float32", choices=INPUT_DTYPES,
              help="The type of the values this input receives."),
]


def name_problem(name: str | None) -> str | None:
    """Why a node name cannot be a Keras layer name; None (use the node id) is fine."""
    return None if name is None else config_name_problem(name)


def _input_shape_problem(value: Any) -> str | None:
    for dim in value if isinstance(value, list) else [value]:
        if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool) or dim < 1):
            return f"shape entries must be whole numbers of at least 1 (or None), got {dim!r}"
    return None


@dataclass
class NodeSchema:
    """One node's form: its rows in order, which of them are advanced, and how to check them.

    `spec` is the catalog entry when there is one; `known` is False for a
    layer netbuilder cannot describe, whose config is then shown read-only.
    """

    title: str
    doc: str
    params: list[ParamSpec]
    spec: LayerSpec | None = None
    known: bool = True
    advanced: frozenset[str] = frozenset()
    open_dims: frozenset[str] = frozenset()  # ints settings whose entries may be None
    # Rules for settings that check_value cannot judge alone (an Input's shape).
    own_checks: dict[str, Callable[[Any], str | None]] = field(default_factory=dict)

    def param(self, key: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == key), None)

    def problem(self, key: str, value: Any, new_config: dict[str, Any]) -> str | None:
        """Why setting `key` to `value` (giving `new_config`) is refused, or None."""
        if key == NAME_KEY:
            problem = name_problem(value)
        elif key in self.own_checks:
            problem = self.own_checks[key](value)
        else:
            param = self.param(key)
            problem = check_value(param, value) if param is not None else None
        if problem or self.spec is None:
            return problem
        # Cross-setting rules (and the name rule) live in check_config; only the
        # ones about this setting refuse this edit, so an old problem elsewhere
        # never blocks fixing another field.
        return next((p for p in check_config(self.spec, new_config) if p.startswith(key + " ")),
                    None)


def schema_for(node: Node, catalog: Catalog, submodel_names: Sequence[str] = ()) -> NodeSchema:
    """The form for `node`: a catalog layer, the Input node, a sub-model or an unknown layer."""
    if node.layer == INPUT_LAYER:
        return NodeSchema(INPUT_LAYER, INPUT_DOC, list(_INPUT_PARAMS), open_dims=frozenset({"shape"}),
                          own_checks={"shape": _input_shape_problem})
    if node.layer == SUBMODEL_LAYER:
        param = ParamSpec("submodel", "choice", required=True, choices=list(submodel_names),
                          help="Which of this project's sub-models this node runs.")
        return NodeSchema(SUBMODEL_LAYER, SUBMODEL_DOC, [param])
    spec = catalog.get(node.layer)
    if spec is None:
        reason = catalog.denied_reason(node.layer)
        doc = (f"netbuilder does not know the layer “{node.layer}”"
               + (f": {reason}" if reason else "")
               + ". Its settings are shown as they are in the file and cannot be edited here.")
        return NodeSchema(node.layer, doc, [], known=False)
    advanced = frozenset(p.name for p in spec.params if not p.required and (
        p.kind in _ADVANCED_KINDS or p.name in _ADVANCED_NAMES))
    open_dims = frozenset(p.name for p in spec.params if p.kind == "ints" and p.nullable)
    return NodeSchema(spec.name, spec.doc, list(spec.params), spec=spec, advanced=advanced,
                      open_dims=open_dims)
