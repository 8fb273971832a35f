"""Named and nested model inputs and outputs: the project's `io` section.

By default a graph's model takes its Input nodes (one tensor, or a list in
node order) and returns its outputs (the `outputs` list, or the nodes that
feed no edge: one tensor, or a list). Keras models may instead take and
return dicts (`outputs={"priority": …, "department": …}`), nested lists, or
only some outputs of a node (an LSTM's states). The `io` section keeps such a
structure per graph, the way Keras' own config does:

    "io": {"outputs": {"priority": "priority", "department": "department"},
           "submodels": {"encoder": {"outputs": [["enc", 1], ["enc", 2]]}}}

A structure is a leaf, a list of structures or an object of named structures;
a leaf is a node id (its first output) or `[node_id, port]`. `inputs` and
`outputs` are each optional; what is left out keeps the default.
"""

from __future__ import annotations

from typing import Any, Callable

from netbuilder.graph import INPUT_LAYER, Graph, Project

IO_SECTION = "io"
Leaf = tuple[str, int]


def graph_io(project: Project, scope: str) -> dict[str, Any]:
    """The `io` entry of the main graph (`scope` "") or of sub-model `scope`; empty when it has none."""
    section = project.sections.get(IO_SECTION)
    if not isinstance(section, dict):
        return {}
    entry = section if not scope else (section.get("submodels") or {}).get(scope)
    return {k: entry[k] for k in ("inputs", "outputs") if k in entry} if isinstance(entry, dict) else {}


def set_graph_io(project: Project, scope: str, io: dict[str, Any]) -> None:
    """Record a graph's structure in the project (nothing when `io` is empty)."""
    if not io:
        return
    section = project.sections.setdefault(IO_SECTION, {})
    if scope:
        section.setdefault("submodels", {})[scope] = io
    else:
        section.update(io)


def as_leaf(value: Any) -> Leaf | None:
    """`"id"` → ("id", 0); `["id", 2]` → ("id", 2); anything else None."""
    if isinstance(value, str):
        return (value, 0)
    if (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], int) and not isinstance(value[1], bool) and value[1] >= 0):
        return (value[0], value[1])
    return None


def leaf_value(leaf: Leaf) -> Any:
    """How a leaf is written: the bare node id for its first output."""
    return leaf[0] if leaf[1] == 0 else [leaf[0], leaf[1]]


def leaves(structure: Any) -> list[Leaf]:
    """Every leaf of a structure, in Keras' flattening order (objects by sorted key)."""
    leaf = as_leaf(structure)
    if leaf is not None:
        return [leaf]
    if isinstance(structure, dict):
        return [x for key in sorted(structure) for x in leaves(structure[key])]
    if isinstance(structure, list):
        return [x for item in structure for x in leaves(item)]
    return []


def pack(structure: Any, tensor: Callable[[Leaf], Any]) -> Any:
    """The structure with each leaf replaced by `tensor(leaf)`."""
    leaf = as_leaf(structure)
    if leaf is not None:
        return tensor(leaf)
    if isinstance(structure, dict):
        return {key: pack(value, tensor) for key, value in structure.items()}
    return [pack(item, tensor) for item in structure]


def io_problems(graph: Graph, io: dict[str, Any]) -> list[str]:
    """What is wrong with a graph's `io` entry, as sentences (empty: usable)."""
    problems = []
    for side in ("inputs", "outputs"):
        if side not in io:
            continue
        if not _well_formed(io[side]):
            problems.append(f"io {side} must be a node id, [node id, port], or a list or object of those")
            continue
        for node_id, _ in leaves(io[side]):
            node = graph.get(node_id)
            if node is None:
                problems.append(f"the model's {side} name node '{node_id}', which does not exist")
            elif side == "inputs" and node.layer != INPUT_LAYER:
                problems.append(f"the model's inputs name node '{node_id}', which is not an Input")
    return problems


def _well_formed(structure: Any) -> bool:
    if as_leaf(structure) is not None:
        return True
    if isinstance(structure, dict):
        return bool(structure) and all(isinstance(k, str) and _well_formed(v) for k, v in structure.items())
    return isinstance(structure, list) and bool(structure) and all(_well_formed(v) for v in structure)


def model_output_names(model: Any) -> list[str]:
    """The names a served model gives its flat outputs: the keys of dict outputs, else Keras' output names."""
    try:
        structure = model.output
    except (AttributeError, ValueError):  # a Sequential that was never called by itself
        structure = None
    if isinstance(structure, dict) and not any(isinstance(v, (dict, list, tuple)) for v in structure.values()):
        return sorted(structure)
    return list(model.output_names)


def model_arguments(model: Any, tensors: list[Any]) -> Any:
    """Values for `model.inputs` (in that order) arranged as the model takes them (a dict, a list, one)."""
    import keras

    try:
        structure = model.input
    except (AttributeError, ValueError):
        structure = None
    if structure is None or not isinstance(structure, (dict, list, tuple)):
        return tensors[0] if len(tensors) == 1 else tensors
    return keras.tree.pack_sequence_as(structure, tensors)
