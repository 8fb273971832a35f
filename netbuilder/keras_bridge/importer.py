"""Keras model → project: the functional config's layers and calls become nodes and edges.

This leans on Keras' own description of a functional model (`get_config()`:
layers plus `inbound_nodes`, the same data `functional_from_config` replays).
Each layer call becomes a node (a layer called twice becomes two nodes, the
second `shares` the first's weights); nested models become sub-models. Layer
configs are stored minus the values that equal Keras' defaults, so imported
projects stay readable. The few layers and operations `keras.applications`
models use that `keras.layers` does not export are first rewritten as the
`keras.layers` layers that compute the very same numbers with the same weights.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keras
import numpy as np

from netbuilder.catalog import Catalog, load_catalog
from netbuilder.catalog.spec import LayerSpec
from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER, Edge, Graph, Node, Project
from netbuilder.graph import project_file
from netbuilder.graph.layout import layered_positions
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.layers import layer_from_config
from netbuilder.keras_bridge.messages import clean_keras_error
from netbuilder.keras_bridge.model_file import read_config, unsafe_parts
from netbuilder.keras_bridge.weights import save_weights

TENSOR = "__keras_tensor__"


def load_model_file(path: Path) -> keras.Model:
    """Load a `.keras`/`.h5` model after refusing any file that carries code."""
    config = read_config(path)
    unsafe = unsafe_parts(config)
    if unsafe:
        raise BridgeError([f"{path.name}: refused: {msg}" for msg in unsafe])
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # Keras reports many kinds of damage; all mean "cannot import"
        raise BridgeError([f"{path.name}: Keras cannot load this model: {clean_keras_error(exc)}"]) from None


def import_model_file(source: Path, target: Path, catalog: Catalog | None = None) -> Project:
    """`netbuilder import`: write `target` (.nbproj) with the weights beside it."""
    model = load_model_file(source)
    project, layers = model_to_project(model, catalog)
    project.path = target
    assert project.weights_path is not None
    save_weights(project.weights_path, layers)
    project_file.save(project, target)
    return project


def model_to_project(model: keras.Model, catalog: Catalog | None = None) -> tuple[Project, dict[str, Any]]:
    """The project for `model` and its weight-owning layers keyed as the weights file keys them."""
    catalog = catalog or load_catalog()
    project = Project(name=model.name)
    layers: dict[str, Any] = {}
    _Converter(project, catalog, layers).convert(model, project.graph, scope="")
    for graph in [project.graph, *project.submodels.values()]:
        for node_id, position in layered_positions(graph).items():
            graph.node(node_id).position = position  # a new document: no events, no undo
    return project, layers


def _jsonable(value: Any) -> Any:
    """Config values as plain JSON (tuples → lists, NumPy → Python)."""

    def default(obj: Any) -> Any:
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        if isinstance(obj, np.generic):
            return obj.item()
        raise TypeError(f"cannot store a {type(obj).__name__} in a project file")

    return json.loads(json.dumps(value, default=default))


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _flatten(item)]
    return [value]


def _is_tensor(value: Any) -> bool:
    return isinstance(value, dict) and value.get("class_name") == TENSOR


def _functional_config(model: keras.Model) -> dict[str, Any]:
    """Keras' functional description; a Sequential is described as the chain it is."""
    if not isinstance(model, keras.Sequential):
        return model.get_config()
    if not model.inputs:
        raise BridgeError([f"model '{model.name}' was never built, so its input shape is unknown"])
    tensor = model.inputs[0]
    in_name = tensor._keras_history.operation.name
    entries: list[dict[str, Any]] = [
        {"class_name": "InputLayer", "name": in_name, "config": {"batch_shape": list(tensor.shape), "dtype": tensor.dtype}, "inbound_nodes": []}
    ]
    previous = in_name
    for layer in model.layers:
        history = {"class_name": TENSOR, "config": {"keras_history": [previous, 0, 0]}}
        entries.append(
            {
                "class_name": type(layer).__name__,
                "name": layer.name,
                "config": layer.get_config(),
                "inbound_nodes": [{"args": [history], "kwargs": {}}],
            }
        )
        previous = layer.name
    return {"layers": entries, "input_layers": [[in_name, 0, 0]], "output_layers": [[previous, 0, 0]]}


def _refs(raw: Any) -> list[list[Any]]:
    """`input_layers`/`output_layers` as a list of [name, node_index, tensor_index]."""
    if raw and isinstance(raw[0], str):
        return [list(raw)]
    return [list(r) for r in raw]


# Operations recorded in a functional config (`x + 3.0` on a symbolic tensor)
# rather than layers; only the arithmetic ones have `keras.layers` twins.
_OPS_MODULES = "keras.src.ops."
_ARITHMETIC = {"Add", "Subtract", "Multiply"}
_LAYER_SCALE = ("keras.src.applications.convnext", "LayerScale")
_CUSTOM_SCALE = ("keras.src.applications.inception_resnet_v2", "CustomScaleLayer")


def _keras_layers_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`entries` with each one `keras.layers` lacks replaced by the layers that compute it exactly."""
    names = {e["name"] for e in entries}
    out: list[dict[str, Any]] = []
    for entry in entries:
        kind = (entry.get("module"), entry["class_name"])
        if kind == _LAYER_SCALE:
            out.append(_layer_scale_twin(entry))
        elif kind == _CUSTOM_SCALE:
            out.extend(_custom_scale_twins(entry, _Converter._fresh(f"{entry['name']}_scale", names)))
        elif str(kind[0]).startswith(_OPS_MODULES):
            out.append(_operation_twin(entry))
        else:
            out.append(entry)
    return out


def _twin(entry: dict[str, Any], class_name: str, config: dict[str, Any], calls: list[Any],
          name: str | None = None) -> dict[str, Any]:
    """A `keras.layers` entry keeping `entry`'s name, trainability and dtype policy."""
    name = name or entry["name"]
    kept = {k: v for k, v in entry["config"].items() if k in ("trainable", "dtype")}
    return {"module": "keras.layers", "class_name": class_name, "name": name,
            "config": {**kept, **config, "name": name}, "inbound_nodes": calls}


def _layer_scale_twin(entry: dict[str, Any]) -> dict[str, Any]:
    """ConvNeXt's LayerScale (`x * gamma`, one gamma per channel): an EinsumDense whose kernel is gamma."""
    cfg = entry["config"]
    initializer = {"module": "keras.initializers", "class_name": "Constant",
                   "config": {"value": cfg["init_values"]}, "registered_name": None}
    return _twin(entry, "EinsumDense", {"equation": "...c,c->...c", "output_shape": [cfg["projection_dim"]],
                                        "kernel_initializer": initializer}, entry.get("inbound_nodes") or [])


def _custom_scale_twins(entry: dict[str, Any], scaled_name: str) -> list[dict[str, Any]]:
    """InceptionResNetV2's `a + b * scale`: a Rescaling of b, then an Add (same rounding: b * scale + 0)."""
    firsts, seconds = [], []
    for call in entry.get("inbound_nodes") or []:
        tensors = _flatten(call.get("args", []))
        if len(tensors) != 2 or not all(_is_tensor(t) for t in tensors):
            raise BridgeError([f"layer '{entry['name']}' (CustomScaleLayer) is not called on two tensors"])
        firsts.append(tensors[0])
        seconds.append({"args": [tensors[1]], "kwargs": {}})
    scaled = [{"class_name": TENSOR, "config": {"keras_history": [scaled_name, k, 0]}} for k in range(len(firsts))]
    rescale = _twin(entry, "Rescaling", {"scale": entry["config"]["scale"], "offset": 0.0}, seconds, scaled_name)
    add = _twin(entry, "Add", {}, [{"args": [[a, b]], "kwargs": {}} for a, b in zip(firsts, scaled)])
    return [rescale, add]


def _operation_twin(entry: dict[str, Any]) -> dict[str, Any]:
    """`a + b`, `a - b`, `a * b` as the merge layer; with a number on one side, as an exact Rescaling."""
    op, calls = entry["class_name"], entry.get("inbound_nodes") or []
    unsupported = BridgeError([f"operation '{entry['name']}' (keras.ops {op}) has no keras.layers "
                               "counterpart netbuilder can draw"])
    if entry.get("module") != f"{_OPS_MODULES}numpy" or op not in _ARITHMETIC or len(calls) != 1 or calls[0].get("kwargs"):
        raise unsupported
    args = _flatten(calls[0].get("args", []))
    if len(args) != 2:
        raise unsupported
    if all(_is_tensor(a) for a in args):
        return _twin(entry, op, {}, [{"args": [args], "kwargs": {}}])
    tensor_first = _is_tensor(args[0])
    tensor, number = args if tensor_first else args[::-1]
    if not _is_tensor(tensor) or isinstance(number, bool) or not isinstance(number, (int, float)):
        raise unsupported
    # x * scale + offset, with one of the two a no-op, rounds exactly as the operation does.
    scale, offset = {"Add": (1.0, number), "Multiply": (number, 0.0),
                     "Subtract": (1.0, -number) if tensor_first else (-1.0, number)}[op]
    return _twin(entry, "Rescaling", {"scale": scale, "offset": offset}, [{"args": [tensor], "kwargs": {}}])


class _Converter:
    def __init__(self, project: Project, catalog: Catalog, layers: dict[str, Any]) -> None:
        self.project, self.catalog, self.layers = project, catalog, layers
        self._probe_memo: dict[tuple[str, str, str], list[str]] = {}

    def convert(self, model: keras.Model, graph: Graph, scope: str) -> None:
        config = _functional_config(model)
        live = {layer.name: layer for layer in model.layers}
        call_ids: dict[str, list[str]] = {}
        entries = _keras_layers_entries(config["layers"])
        inputs = [r[0] for r in _refs(config["input_layers"])]
        ordered = sorted(entries, key=lambda e: inputs.index(e["name"]) if e["name"] in inputs else len(inputs))
        used = {e["name"] for e in entries}
        for entry in ordered:
            name = entry["name"]
            calls = entry.get("inbound_nodes") or [None]
            ids = [name] + [self._fresh(f"{name}__call{k}", used) for k in range(1, len(calls))]
            call_ids[name] = ids
        for entry in ordered:
            self._add_entry(entry, live.get(entry["name"]), graph, scope, call_ids)
        outs = []
        for name, node_index, tensor_index in _refs(config["output_layers"]):
            if tensor_index:
                raise BridgeError([f"model '{model.name}': output {tensor_index} of layer '{name}' is a model output; netbuilder can only use a node's first output as a model output"])
            outs.append(call_ids[name][node_index])
        sinks = [n.id for n in graph.nodes if not graph.outgoing(n.id)]
        if sinks != outs:
            graph.outputs = outs

    @staticmethod
    def _fresh(stem: str, used: set[str]) -> str:
        candidate, i = stem, 1
        while candidate in used:
            candidate, i = f"{stem}_{i}", i + 1
        used.add(candidate)
        return candidate

    def _add_entry(self, entry: dict[str, Any], layer: Any, graph: Graph, scope: str, call_ids: dict[str, list[str]]) -> None:
        name, cls = entry["name"], entry["class_name"]
        if cls == "InputLayer":
            cfg = entry["config"]
            shape = cfg.get("batch_shape") or [None, *cfg.get("shape", [])]
            config: dict[str, Any] = {"shape": list(shape[1:])}
            if shape[0] is not None:
                config["batch_size"] = shape[0]
            if cfg.get("dtype", "float32") != "float32":
                config["dtype"] = cfg["dtype"]
            if cfg.get("sparse"):
                config["sparse"] = True
            graph.add_node(Node(name, INPUT_LAYER, config))
            return
        nested = isinstance(layer, keras.Model)
        spec = None if nested else self._spec(cls, name)
        base_config = {} if nested else self._trim(_jsonable(entry["config"]), spec, name)  # type: ignore[arg-type]
        if nested:
            if name in self.project.submodels:
                raise BridgeError([f"two nested models are both named '{name}'; netbuilder needs unique sub-model names"])
            sub = Graph()
            self.project.submodels[name] = sub
            self.convert(layer, sub, scope=name)
            base_config = {"submodel": name}
        elif layer is not None and layer.weights:
            self.layers[f"{scope}/{name}" if scope else name] = layer
        for k, call in enumerate(entry.get("inbound_nodes") or []):
            node_id = call_ids[name][k]
            config = dict(base_config)
            extra: dict[str, Any] = {}
            if k and not nested:
                config.pop("name", None)
                extra["shares"] = name
            edges, kwargs = self._edges_of(call, node_id, spec, call_ids)
            if kwargs:
                extra["call_kwargs"] = kwargs
            graph.add_node(Node(node_id, SUBMODEL_LAYER if nested else cls, config, extra=extra))
            for edge in edges:
                graph.add_edge(edge)

    def _spec(self, cls: str, name: str) -> LayerSpec:
        spec = self.catalog.get(cls)
        if spec is None:
            reason = self.catalog.denied_reason(cls) or "netbuilder does not know this layer class"
            raise BridgeError([f"layer '{name}' ({cls}): {reason}"])
        return spec

    def _trim(self, config: dict[str, Any], spec: LayerSpec, node_id: str) -> dict[str, Any]:
        """Drop what equals Keras' default (and a name equal to the node id).

        Some defaults depend on other arguments (a pooling layer's `strides`
        default to its `pool_size`), so the trimmed config is checked by
        rebuilding the layer from it: any value Keras does not reproduce is
        put back. Checks are memoised, since big models repeat configs a lot.
        """
        defaults = spec.defaults()
        out = {}
        for key, value in config.items():
            if key == "name":
                if value != node_id:
                    out[key] = value
                continue
            param = spec.param(key)
            if param is not None and not param.required and key in defaults and defaults[key] == value:
                continue
            out[key] = value
        dropped = {k: v for k, v in config.items() if k not in out and k != "name"}
        if dropped:
            for key in self._not_reproduced(spec, out, dropped):
                out[key] = config[key]
        return out

    def _not_reproduced(self, spec: LayerSpec, trimmed: dict[str, Any], dropped: dict[str, Any]) -> list[str]:
        memo_key = (spec.name, json.dumps(trimmed, sort_keys=True), json.dumps(dropped, sort_keys=True))
        if memo_key not in self._probe_memo:
            probe = {k: v for k, v in trimmed.items() if k != "name"}
            rebuilt = _jsonable(layer_from_config(spec.name, probe, spec.defaults()).get_config())
            self._probe_memo[memo_key] = [k for k, v in dropped.items() if rebuilt.get(k) != v]
        return self._probe_memo[memo_key]

    def _edges_of(self, call: dict[str, Any], node_id: str, spec: LayerSpec | None, call_ids: dict[str, list[str]]) -> tuple[list[Edge], dict[str, Any]]:
        ports: list[tuple[int, dict[str, Any]]] = []
        kwargs: dict[str, Any] = {}
        for item in _flatten(call.get("args", [])):
            if not _is_tensor(item):
                raise BridgeError([f"node '{node_id}': is called with a non-tensor positional argument {item!r}"])
            ports.append((len(ports), item))
        names = spec.port_names if spec is not None else []
        for key, value in (call.get("kwargs") or {}).items():
            tensors = [t for t in _flatten(value) if _is_tensor(t)]
            if not tensors:
                kwargs[key] = _jsonable(value)
                continue
            if key not in names or len(tensors) != 1:
                raise BridgeError([f"node '{node_id}': passes a tensor as '{key}', which netbuilder cannot wire yet"])
            ports.append((names.index(key), tensors[0]))
        edges = []
        for port, tensor in ports:
            source, node_index, tensor_index = tensor["config"]["keras_history"]
            edges.append(Edge(call_ids[source][node_index], node_id, tensor_index, port))
        return edges, kwargs
