"""Keras model → project: the functional config's layers and calls become nodes and edges.

This leans on Keras' own description of a functional model (`get_config()`:
layers plus `inbound_nodes`, the same data `functional_from_config` replays;
see `functional_config`). Each call becomes a node: a layer called twice
becomes two nodes, the second `shares` the first's weights; a nested model
becomes a sub-model, and each of its calls a `Submodel` node. Tensors passed
by keyword become ports (`import_calls`), operations become the layers that
compute them or `Operation` nodes (`import_rewrites`), and named or nested
inputs and outputs are kept in the project's `io` section (`model_io`).
Layer configs are stored minus the values that equal Keras' defaults, so
imported projects stay readable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keras

from netbuilder.catalog import Catalog, load_catalog
from netbuilder.catalog.call_ports import OPERATION_LAYER
from netbuilder.catalog.spec import LayerSpec
from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER, Graph, Node, Project, project_file
from netbuilder.graph.layout import layered_positions
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.functional_config import functional_config, is_ref, refs
from netbuilder.keras_bridge.import_calls import jsonable, wire_call
from netbuilder.keras_bridge.import_rewrites import keras_layers_entries
from netbuilder.keras_bridge.layer_state import has_state
from netbuilder.keras_bridge.layers import layer_from_config
from netbuilder.keras_bridge.messages import clean_keras_error
from netbuilder.keras_bridge.model_file import read_config, unsafe_parts
from netbuilder.keras_bridge.model_io import Leaf, as_leaf, leaf_value, leaves, set_graph_io
from netbuilder.keras_bridge.weights import save_weights


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
    try:
        project, layers = model_to_project(model, catalog)
    except BridgeError:
        raise
    except Exception as exc:  # a model this importer does not understand yet: a sentence, never a traceback
        raise BridgeError([f"{source.name}: netbuilder cannot turn this model into a project: "
                           f"{clean_keras_error(exc)}"]) from exc
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


def _fresh(stem: str, used: set[str]) -> str:
    candidate, i = stem, 1
    while candidate in used:
        candidate, i = f"{stem}_{i}", i + 1
    used.add(candidate)
    return candidate


def _output_count(operation: Any) -> int | None:
    """How many tensors one call of a layer, operation or model gives (None: unknown)."""
    if isinstance(operation, keras.Model):
        return len(operation.outputs)
    nodes = getattr(operation, "_inbound_nodes", None)
    return len(nodes[-1].outputs) if nodes else None


class _Converter:
    def __init__(self, project: Project, catalog: Catalog, layers: dict[str, Any]) -> None:
        self.project, self.catalog, self.layers = project, catalog, layers
        self._probe_memo: dict[tuple[str, str, str], list[str]] = {}
        self._models: dict[str, int] = {}  # sub-model name -> id() of the Keras model it came from

    def convert(self, model: keras.Model, graph: Graph, scope: str) -> None:
        config = functional_config(model)
        live = {op.name: op for op in getattr(model, "operations", model.layers)}
        used = {e["name"] for e in config["layers"]}
        entries = keras_layers_entries(config["layers"], lambda stem: _fresh(stem, used))
        inputs = [r[0] for r in refs(config["input_layers"])]
        ordered = sorted(entries, key=lambda e: inputs.index(e["name"]) if e["name"] in inputs else len(inputs))
        call_ids: dict[str, list[str]] = {}  # layer name -> the node of each of its calls
        for entry in ordered:
            calls = entry.get("inbound_nodes") or [None]
            name = entry["name"]
            call_ids[name] = [name] + [_fresh(f"{name}__call{k}", used) for k in range(1, len(calls))]
        counts: dict[str, int | None] = {}  # node id -> how many tensors its call gives
        for entry in ordered:
            operation = live.get(entry["name"])
            count = 1 if operation is None or entry["class_name"] == "InputLayer" else _output_count(operation)
            counts.update(dict.fromkeys(call_ids[entry["name"]], count))
            self._add_entry(entry, operation, graph, scope, call_ids)
        self._set_io(config, graph, scope, call_ids, live, counts)

    def _set_io(self, config: dict[str, Any], graph: Graph, scope: str, call_ids: dict[str, list[str]],
                live: dict[str, Any], counts: dict[str, int | None]) -> None:
        """Outputs as the graph's list; dicts, nesting and partial outputs in the `io` section."""
        from keras.src.models.functional import Functional

        def leaf(ref: list[Any]) -> Any:
            name, call, index = ref
            call -= 1 if isinstance(live.get(name), Functional) else 0  # Keras counts a model's own node first
            return leaf_value((call_ids[name][call], index))

        ins, outs = _structure(config["input_layers"], leaf), _structure(config["output_layers"], leaf)
        out_nodes = list(dict.fromkeys(node_id for node_id, _ in leaves(outs)))
        sinks = [n.id for n in graph.nodes if not graph.outgoing(n.id)]
        if sinks != out_nodes:
            graph.outputs = out_nodes
        default_outs = [(node_id, port) for node_id in graph.output_ids() for port in range(counts[node_id] or 0)]
        io: dict[str, Any] = {}
        if not _flat_equal(ins, [(i, 0) for i in graph.input_ids()]):
            io["inputs"] = ins
        if not _flat_equal(outs, default_outs):
            io["outputs"] = outs
        set_graph_io(self.project, scope, io)

    def _add_entry(self, entry: dict[str, Any], layer: Any, graph: Graph, scope: str,
                   call_ids: dict[str, list[str]]) -> None:
        name, cls = entry["name"], entry["class_name"]
        if cls == "InputLayer":
            graph.add_node(Node(name, INPUT_LAYER, _input_config(entry["config"])))
            return
        nested = isinstance(layer, keras.Model)
        operation = cls == OPERATION_LAYER
        spec = None if nested or operation else self._spec(cls, name)
        if nested:
            base_config: dict[str, Any] = {"submodel": self._submodel(layer, name)}
        elif operation:
            base_config = {k: v for k, v in jsonable(entry["config"]).items() if k != "name" or v != name}
        else:
            base_config = self._trim(jsonable(entry["config"]), spec, name)  # type: ignore[arg-type]
        if isinstance(layer, keras.layers.Layer) and not nested and (layer.weights or has_state(layer)):
            self.layers[f"{scope}/{name}" if scope else name] = layer
        for k, call in enumerate(entry.get("inbound_nodes") or []):
            node_id = call_ids[name][k]
            config = dict(base_config)
            shares = None
            if k and not nested and not operation:
                config.pop("name", None)
                shares = name
            wiring = wire_call(call, node_id, operation=operation, port_names=spec.port_names if spec else [],
                               source_of=lambda source, index: call_ids[source][index])
            extra: dict[str, Any] = {}
            if wiring.call_args is not None:
                extra["call_args"] = wiring.call_args
            if wiring.call_kwargs:
                extra["call_kwargs"] = wiring.call_kwargs
            kind = SUBMODEL_LAYER if nested else cls
            graph.add_node(Node(node_id, kind, config, extra=extra, shares=shares))
            for edge in wiring.edges:
                graph.add_edge(edge)

    def _submodel(self, model: keras.Model, name: str) -> str:
        """The sub-model for a nested Keras model, converted once however often it is called."""
        if name in self._models:
            if self._models[name] != id(model):
                raise BridgeError([f"two nested models are both named '{name}'; netbuilder needs unique sub-model names"])
            return name
        self._models[name] = id(model)
        sub = Graph()
        self.project.submodels[name] = sub
        self.convert(model, sub, scope=name)
        return name

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
        A dtype policy is kept by its name (`"mixed_float16"`), as the inspector offers it.
        """
        defaults = spec.defaults()
        out = {}
        for key, value in config.items():
            if key == "name":
                if value != node_id:
                    out[key] = value
                continue
            param = spec.param(key)
            # A seeded value is the catalog's example, not Keras' default: whether Keras
            # reproduces the value without it is left to the check below.
            default = key in defaults and defaults[key] == value
            if param is not None and not param.required and (default or key in spec.seed):
                continue
            out[key] = _policy_name(value) if key == "dtype" else value
        dropped = {k: v for k, v in config.items() if k not in out and k != "name"}
        if dropped:
            for key in self._not_reproduced(spec, out, dropped):
                out[key] = config[key]
        return out

    def _not_reproduced(self, spec: LayerSpec, trimmed: dict[str, Any], dropped: dict[str, Any]) -> list[str]:
        memo_key = (spec.name, json.dumps(trimmed, sort_keys=True), json.dumps(dropped, sort_keys=True))
        if memo_key not in self._probe_memo:
            probe = {k: v for k, v in trimmed.items() if k != "name"}
            try:
                rebuilt = jsonable(layer_from_config(spec.name, probe, spec.defaults()).get_config())
            except (TypeError, ValueError):  # a layer that needs one of them (CategoryEncoding's num_tokens)
                rebuilt = {}
            self._probe_memo[memo_key] = [k for k, v in dropped.items() if rebuilt.get(k) != v]
        return self._probe_memo[memo_key]


def _input_config(cfg: dict[str, Any]) -> dict[str, Any]:
    shape = cfg.get("batch_shape") or [None, *cfg.get("shape", [])]
    config: dict[str, Any] = {"shape": list(shape[1:])}
    if shape[0] is not None:
        config["batch_size"] = shape[0]
    if cfg.get("dtype", "float32") != "float32":
        config["dtype"] = cfg["dtype"]
    if cfg.get("sparse"):
        config["sparse"] = True
    return config


def _policy_name(value: Any) -> Any:
    """A serialised `DTypePolicy` by its name; anything else as it is."""
    if isinstance(value, dict) and value.get("class_name") in ("DTypePolicy", "FloatDTypePolicy"):
        name = (value.get("config") or {}).get("name")
        return name if isinstance(name, str) else value
    return value


def _structure(raw: Any, leaf: Any) -> Any:
    """An `input_layers`/`output_layers` structure with each leaf mapped by `leaf`."""
    if is_ref(raw):
        return leaf(list(raw))
    if isinstance(raw, dict):
        return {key: _structure(value, leaf) for key, value in raw.items()}
    return [_structure(item, leaf) for item in raw]


def _flat_equal(structure: Any, default: list[Leaf]) -> bool:
    """Whether a structure is what the graph gives by default: one leaf or a flat list of them, in order."""
    flat = [structure] if as_leaf(structure) is not None else structure
    return isinstance(flat, list) and all(as_leaf(item) is not None for item in flat) and leaves(flat) == default
