"""Big generated projects in three shapes, for the benchmarks and tests that need thousands of layers.

One place makes them so that every measurement of "a 10,000-layer graph" means
the same graph: `chain` (Input then Dense after Dense), `residual` (blocks of
Dense, Dense and an Add that also takes the block's input: long skip wires)
and `fan` (one Input feeding N Dense layers side by side, all joined by one
Concatenate: one very wide layer). Every layer is Dense(16) on a (16,) input,
so each project is a valid Keras model. Standard library only.

    from big_graphs import big_project, write_big_project
    doc = big_project("residual", 10_000)  # a project document (JSON-ready dict)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SHAPES = ("chain", "residual", "fan")
UNITS = 16
_ROW, _COLUMN = 110.0, 220.0  # the automatic layout's spacing, so positions look saved by the editor


def big_project(shape: str, layers: int, positioned: bool = True) -> dict[str, Any]:
    """A project document with exactly `layers` nodes (the Input included) of the given shape.

    `positioned` gives every node a canvas position, as a file saved by the
    editor has; without it, opening the project lays it out automatically.
    """
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}: one of {', '.join(SHAPES)}")
    if layers < 3:
        raise ValueError("a big graph needs at least 3 layers")
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []

    def add(node_id: str, layer: str, config: dict[str, Any], x: float, y: float) -> str:
        node: dict[str, Any] = {"id": node_id, "layer": layer, "config": config}
        if positioned:
            node["position"] = [x, y]
        nodes.append(node)
        return node_id

    def dense(node_id: str, row: int, column: float = 0.0, activation: str = "linear") -> str:
        return add(node_id, "Dense", {"units": UNITS, "activation": activation}, column * _COLUMN, row * _ROW)

    def wire(source: str, target: str, port: int = 0) -> None:
        edges.append({"source": source, "target": target, **({"target_port": port} if port else {})})

    previous = add("input", "Input", {"shape": [UNITS]}, 0.0, 0.0)
    if shape == "fan":
        width = layers - 2
        for i in range(width):
            wire(previous, dense(f"dense_{i}", 1, i - (width - 1) / 2))
        add("concat", "Concatenate", {}, 0.0, 2 * _ROW)
        for i in range(width):
            wire(f"dense_{i}", "concat", i)
    elif shape == "residual":
        row, block = 0, 0
        while len(nodes) + 3 <= layers:
            a = dense(f"block{block}_a", row + 1, -0.5, "relu")
            b = dense(f"block{block}_b", row + 2, -0.5)
            add_id = add(f"block{block}_add", "Add", {}, 0.0, (row + 3) * _ROW)
            wire(previous, a)
            wire(a, b)
            wire(b, add_id, 0)
            wire(previous, add_id, 1)
            previous, row, block = add_id, row + 3, block + 1
        while len(nodes) < layers:
            row += 1
            wire(previous, previous := dense(f"tail_{row}", row))
    else:
        for i in range(1, layers):
            wire(previous, previous := dense(f"dense_{i}", i))
    return {"format": "netbuilder", "version": 1, "name": f"{shape}_{layers}",
            "graph": {"nodes": nodes, "edges": edges}}


def write_big_project(path: Path, shape: str, layers: int, positioned: bool = True) -> Path:
    """Write `big_project(shape, layers)` to `path` as the editor would (indented JSON)."""
    text = json.dumps(big_project(shape, layers, positioned), indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path
