"""Walk a graph in order, calling each node's layer on its inputs' symbolic tensors.

This one walk serves two masters: building a `keras.Model` (strict: any problem
is an error) and shape inference for the canvas (lenient: a bad node is
reported and everything downstream of it is simply left unknown).

Results are cached per node, keyed on what they were computed from: the
layer name, the config object (edits replace it, see `Graph.set_config`), the
call arguments and the identity of the input tensors. A re-run after an edit
therefore recomputes only the nodes downstream of that edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import keras

from netbuilder.catalog import Catalog
from netbuilder.catalog.config_check import check_config
from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER, Graph, Node, Problem, Project
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.layers import call_layer, input_config_problems, make_input, make_layer
from netbuilder.keras_bridge.messages import clean_keras_error, merge_problem


@dataclass
class NodeResult:
    """What one node produced: its layer, its output tensors, or why it could not."""

    layer: Any = None
    outputs: list[Any] | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def shapes(self) -> list[tuple[Any, ...]] | None:
        return None if self.outputs is None else [tuple(t.shape) for t in self.outputs]


@dataclass
class _Entry:
    key: tuple[Any, ...]
    config: dict[str, Any]
    result: NodeResult


class Tracer:
    """Calls the layers of one project's graphs; keeps layers and results between runs."""

    def __init__(self, project: Project, catalog: Catalog) -> None:
        self.project = project
        self.catalog = catalog
        self._cache: dict[tuple[str, str], _Entry] = {}
        self._submodels: dict[str, tuple[tuple[Any, ...], keras.Model | None, list[Problem]]] = {}
        self._latest: dict[str, dict[str, NodeResult]] = {}  # the last run's results per scope

    # -- one graph -----------------------------------------------------------
    def run(self, graph: Graph, scope: str = "") -> dict[str, NodeResult]:
        """Results for every node of `graph` (a node whose inputs are unknown stays unknown)."""
        order = graph.topological_order()
        if order is None:
            self._latest[scope] = {}
            return {}
        results: dict[str, NodeResult] = {}
        names: dict[str, str] = {}
        live_keys = set()
        for nid in order:
            node = graph.node(nid)
            live_keys.add((scope, nid))
            clash = names.get(node.name)
            names.setdefault(node.name, nid)
            if clash is not None:
                results[nid] = NodeResult(errors=[f"name '{node.name}' is already used by node '{clash}'"])
                continue
            inputs = self._inputs_of(graph, node, results)
            if inputs is None:
                results[nid] = NodeResult()
                continue
            results[nid] = self._cached(graph, scope, node, inputs)
        for key in [k for k in self._cache if k[0] == scope and k not in live_keys]:
            del self._cache[key]
        self._latest[scope] = results
        return results

    def _inputs_of(self, graph: Graph, node: Node, results: dict[str, NodeResult]) -> list[Any] | None:
        tensors = []
        for edge in graph.incoming(node.id):
            source = results.get(edge.source)
            if source is None or source.outputs is None or edge.source_port >= len(source.outputs):
                return None
            tensors.append(source.outputs[edge.source_port])
        return tensors

    def _cached(self, graph: Graph, scope: str, node: Node, inputs: list[Any]) -> NodeResult:
        shares = node.extra.get("shares")
        sub_key = self._submodel_key(node) if node.layer == SUBMODEL_LAYER else None
        key = (node.layer, tuple(id(t) for t in inputs), repr(node.extra), shares, sub_key)
        entry = self._cache.get((scope, node.id))
        if entry is not None and entry.key == key and entry.config is node.config:
            return entry.result
        result = self._compute(graph, scope, node, inputs)
        # The inputs are kept alive by the upstream entries, so their ids stay unique.
        self._cache[(scope, node.id)] = _Entry(key, node.config, result)
        return result

    def _compute(self, graph: Graph, scope: str, node: Node, inputs: list[Any]) -> NodeResult:
        if node.layer == INPUT_LAYER:
            errors = input_config_problems(node)
            if errors:
                return NodeResult(errors=errors)
            try:
                tensor = make_input(node)
            except Exception as exc:  # Keras validates dtype/shape combinations itself
                return NodeResult(errors=[clean_keras_error(exc)])
            return NodeResult(layer=tensor._keras_history.operation, outputs=[tensor])
        if node.layer == SUBMODEL_LAYER:
            return self._call_submodel(node, inputs)
        spec = self.catalog.get(node.layer)
        problems = self.settings_problems(node)
        if spec is None or problems:
            return NodeResult(errors=problems)
        shapes = [tuple(t.shape) for t in inputs]
        problem = merge_problem(node.layer, node.config, shapes)
        if problem:
            return NodeResult(errors=[problem])
        layer = self._layer_for(scope, node, spec)
        if isinstance(layer, str):
            return NodeResult(errors=[layer])
        kwargs = node.extra.get("call_kwargs", {}) or {}
        try:
            outputs = call_layer(layer, inputs, spec, kwargs)
        except Exception as exc:  # any Keras complaint becomes the node's message
            return NodeResult(layer=layer, errors=[clean_keras_error(exc)])
        return NodeResult(layer=layer, outputs=outputs)

    def settings_problems(self, node: Node) -> list[str]:
        """What is wrong with a layer node on its own: an unknown layer or bad settings."""
        if node.layer in (INPUT_LAYER, SUBMODEL_LAYER):
            return input_config_problems(node) if node.layer == INPUT_LAYER else []
        spec = self.catalog.get(node.layer)
        if spec is not None:
            return check_config(spec, node.config)
        reason = self.catalog.denied_reason(node.layer)
        if reason is None:
            close = self.catalog.suggest(node.layer)
            hint = f" (did you mean {' or '.join(close[:2])}?)" if close else ""
            reason = f"unknown layer '{node.layer}'{hint}"
        return [reason]

    def _layer_for(self, scope: str, node: Node, spec: Any) -> Any:
        """A new layer, or the owner's layer when this node `shares` another's weights."""
        owner_id = node.extra.get("shares")
        if owner_id:
            entry = self._cache.get((scope, owner_id))  # this run's, not the last run's
            owner = None if entry is None else entry.result.layer
            if owner is None:
                return f"shares the layer of node '{owner_id}', which is not built yet"
            return owner
        try:
            return make_layer(node, spec)
        except Exception as exc:
            return f"invalid settings: {clean_keras_error(exc)}"

    # -- sub-models ------------------------------------------------------------
    def _submodel_key(self, node: Node) -> tuple[Any, ...]:
        name = node.config.get("submodel")
        return self._graph_key(name) if isinstance(name, str) and name in self.project.submodels else (name,)

    def _graph_key(self, name: str) -> tuple[Any, ...]:
        """Changes whenever sub-model `name` is edited (configs are replaced, not mutated)."""
        graph = self.project.submodels[name]
        return (name, id(graph), tuple((n.id, id(n.config)) for n in graph.nodes), tuple(graph.edges))

    def result_of(self, scope: str, node_id: str) -> NodeResult | None:
        """What the last run of `scope` gave a node (None if that run did not reach it).

        Not the cache: a node downstream of a broken one keeps its cache entry for
        when the break is mended, but its current result is "unknown".
        """
        return self._latest.get(scope, {}).get(node_id)

    def try_call(self, graph: Graph, scope: str, node: Node, inputs: list[Any]) -> NodeResult:
        """Call a fresh copy of `node`'s layer on `inputs`, touching no cache (for what-ifs)."""
        return self._compute(graph, scope, node, inputs)

    def layer_of(self, scope: str, node_id: str) -> Any:
        """The layer the last run made for a node (None if it made none)."""
        result = self.result_of(scope, node_id)
        return None if result is None else result.layer

    def submodel(self, name: str) -> tuple[keras.Model | None, list[Problem]]:
        """The Keras model for sub-model `name`, built once per version of its graph.

        One instance serves every node that uses it, so those nodes share weights,
        as calling one Keras model twice does.
        """
        graph = self.project.submodels[name]
        key = self._graph_key(name)
        cached = self._submodels.get(name)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        results = self.run(graph, scope=name)
        problems = problems_of(graph, results, scope=name)
        model = None
        if not problems:
            try:
                model = model_from_results(graph, results, name)
            except BridgeError as exc:
                problems = exc.problems
        self._submodels[name] = (key, model, problems)
        return model, problems

    def _call_submodel(self, node: Node, inputs: list[Any]) -> NodeResult:
        name = node.config.get("submodel")
        if not isinstance(name, str) or name not in self.project.submodels:
            known = ", ".join(sorted(self.project.submodels)) or "none"
            return NodeResult(errors=[f"refers to sub-model {name!r}, which the project does not define (it has: {known})"])
        model, problems = self.submodel(name)
        if model is None:
            return NodeResult(errors=[f"sub-model '{name}' is not valid ({len(problems)} problem(s) inside it)"])
        try:
            outputs = call_layer(model, inputs, None, {})
        except Exception as exc:
            return NodeResult(layer=model, errors=[clean_keras_error(exc)])
        return NodeResult(layer=model, outputs=outputs)


def problems_of(graph: Graph, results: dict[str, NodeResult], scope: str = "") -> list[Problem]:
    """The per-node errors of a run, as Problems in node order."""
    found = []
    for node in graph.nodes:
        result = results.get(node.id)
        if result is not None:
            found.extend(Problem(node.id, msg, node.layer, scope) for msg in result.errors)
    return found


def model_from_results(graph: Graph, results: dict[str, NodeResult], name: str) -> keras.Model:
    """A functional model from a successful run: Inputs in node order, outputs per the graph."""
    ins, outs = [], []
    for nid in graph.input_ids():
        ins.append(results[nid].outputs[0])  # type: ignore[index]
    for nid in graph.output_ids():
        result = results.get(nid)
        if result is None or result.outputs is None:
            raise BridgeError([Problem(nid, "this output has no value", graph.node(nid).layer if nid in graph else "")])
        outs.extend(result.outputs)
    if not ins:
        raise BridgeError(["the graph has no Input node: add one to feed the model"])
    try:
        return keras.Model(
            inputs=ins[0] if len(ins) == 1 else ins,
            outputs=outs[0] if len(outs) == 1 else outs,
            name=name.replace("/", "_") or "model",  # Keras refuses '/'; all else is kept
        )
    except Exception as exc:
        raise BridgeError([f"Keras cannot make a model of this graph: {clean_keras_error(exc)}"]) from exc
