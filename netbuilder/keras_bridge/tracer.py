"""Walk a graph in order, calling each node's layer on its inputs' symbolic tensors.

This one walk serves two masters: building a `keras.Model` (strict: any problem
is an error) and shape inference for the canvas (lenient: a bad node is
reported and everything downstream of it is simply left unknown).

Results are kept per graph between runs (`trace_state`). The first run walks
the whole graph; later runs follow the graph's events and redo only the nodes
an edit touched and those downstream of them, so re-checking after one edit
costs the same in a graph of 10,000 layers as in one of ten. Each node's
result is also cached on what it was computed from (the layer name, the
config object — edits replace it, see `Graph.set_config` — the call
arguments, the identity of the input tensors and of a shared layer), so a
node redone with the same inputs keeps its layer. A run after any edits gives
the results a fresh tracer would.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import keras

from netbuilder.catalog import Catalog
from netbuilder.catalog.call_ports import OPERATION_LAYER
from netbuilder.catalog.config_check import check_config, size_problem
from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER, Graph, Node, Problem, Project
from netbuilder.graph.layer_names import keras_name
from netbuilder.graph.validation import shown_name
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.layer_state import StateSource, keeps_state, restore_state
from netbuilder.keras_bridge.layers import call_layer, input_config_problems, make_input, make_layer
from netbuilder.keras_bridge.messages import clean_keras_error, merge_problem
from netbuilder.keras_bridge.model_io import graph_io, io_problems, pack
from netbuilder.keras_bridge.operations import call_operation, make_operation, operation_problems
from netbuilder.keras_bridge.trace_state import CycleFound, Entry, TraceState


@dataclass
class NodeResult:
    """What one node produced: its layer, its output tensors, or why it could not."""

    layer: Any = None
    outputs: list[Any] | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def shapes(self) -> list[tuple[Any, ...]] | None:
        return None if self.outputs is None else [tuple(t.shape) for t in self.outputs]


class Tracer:
    """Calls the layers of one project's graphs; keeps layers and results between runs."""

    def __init__(self, project: Project, catalog: Catalog) -> None:
        self.project = project
        self.catalog = catalog
        self._traces: dict[str, TraceState] = {}  # per scope ("" or a sub-model's name)
        self._submodels: dict[str, tuple[tuple[Any, ...], keras.Model | None, list[Problem]]] = {}
        self._references: dict[int, tuple[Graph, int, list[Any]]] = {}  # sub-models each graph calls
        self.states = StateSource(lambda: project.weights_path)  # adapted vocabularies, by node

    # -- one graph -----------------------------------------------------------
    def run(self, graph: Graph, scope: str = "") -> dict[str, NodeResult]:
        """Results for every node of `graph` (a node whose inputs are unknown stays unknown).

        Empty when the graph has a cycle (see `traced`). The dict is the tracer's
        own and changes with the next run: copy it to keep it.
        """
        trace = self._traces.get(scope)
        if trace is None or trace.graph is not graph:
            trace = self._traces[scope] = TraceState(graph)
        changes = trace.log.take()
        if trace.complete:
            try:
                self._update(trace, scope, trace.plan(changes, self._changed_submodel_nodes(trace)))
                return trace.results
            except CycleFound:
                pass
        self._run_all(trace, scope)
        return trace.results

    def traced(self, scope: str = "") -> bool:
        """Whether the last run of `scope` found an order to trace in (its graph has no cycle)."""
        trace = self._traces.get(scope)
        return trace is not None and trace.complete

    def problems(self, scope: str = "") -> list[Problem]:
        """The last run's per-node errors in `scope`, as Problems in node order."""
        trace = self._traces.get(scope)
        if trace is None:
            return []
        graph = trace.graph
        return [
            Problem(node_id, message, graph.node(node_id).layer, scope)
            for node_id in sorted(trace.failing, key=graph.index_of)
            for message in trace.results[node_id].errors
        ]

    def _run_all(self, trace: TraceState, scope: str) -> None:
        graph = trace.graph
        order = graph.topological_order()
        trace.results, trace.failing = {}, set()
        trace.complete = order is not None
        if order is None:
            return  # no order to trace in; the cache is kept for when the cycle is broken
        trace.restart(order)
        self._update(trace, scope, order)
        for node_id in [k for k in trace.entries if k not in trace.results]:
            del trace.entries[node_id]

    def _update(self, trace: TraceState, scope: str, order: list[str]) -> None:
        """Redo the nodes in `order` (each after its inputs), keeping results and failures current."""
        graph = trace.graph
        for node_id in order:
            result = self._evaluate(trace, scope, graph.node(node_id))
            trace.results[node_id] = result
            if result.errors:
                trace.failing.add(node_id)
            else:
                trace.failing.discard(node_id)

    def _changed_submodel_nodes(self, trace: TraceState) -> set[str]:
        """`Submodel` nodes whose sub-model changed since they called it (an edit in another graph)."""
        graph = trace.graph
        return {
            node_id for node_id in trace.submodel_nodes
            if node_id in graph and trace.submodel_keys.get(node_id) != self._submodel_key(graph.node(node_id))
        }

    def _evaluate(self, trace: TraceState, scope: str, node: Node) -> NodeResult:
        if node.layer == SUBMODEL_LAYER:
            trace.submodel_keys[node.id] = self._submodel_key(node)
        keeper = trace.name_keeper(node.id)
        if keeper is not None:
            # The other node shows this same name on its card: its layer tells the two apart.
            other = trace.graph.node(keeper).layer
            return NodeResult(errors=[f"name '{node.name}' is already used by {other} '{node.name}'"])
        inputs = self._inputs_of(trace.graph, node, trace.results)
        if inputs is None:
            return NodeResult()
        # A node sharing another's layer gets it only if that node was traced before
        # it; otherwise it says so (a walk in order cannot look ahead).
        owner = None
        if node.shares is not None and trace.owner_first(node.id):
            owner = trace.results[node.shares].layer
        return self._cached(trace, scope, node, inputs, owner)

    def _inputs_of(self, graph: Graph, node: Node, results: dict[str, NodeResult]) -> list[Any] | None:
        tensors = []
        for edge in graph.incoming(node.id):
            source = results.get(edge.source)
            if source is None or source.outputs is None or edge.source_port >= len(source.outputs):
                return None
            tensors.append(source.outputs[edge.source_port])
        return tensors

    def _cached(self, trace: TraceState, scope: str, node: Node, inputs: list[Any], owner: Any) -> NodeResult:
        shares = node.shares
        sub_key = self._submodel_key(node) if node.layer == SUBMODEL_LAYER else None
        # The owner's name is in the message of a node whose owner is not built yet.
        owner_name = shown_name(trace.graph, shares) if shares is not None else None
        key = (node.layer, tuple(id(t) for t in inputs), repr(node.extra), shares, sub_key, id(owner), owner_name)
        entry = trace.entries.get(node.id)
        if entry is not None and entry.key == key and entry.config is node.config:
            return entry.result
        result = self._compute(trace.graph, scope, node, inputs, owner)
        # The entry keeps the inputs and the shared layer alive, so their ids stay unique.
        trace.entries[node.id] = Entry(key, node.config, result, keep=(inputs, owner))
        return result

    def _compute(self, graph: Graph, scope: str, node: Node, inputs: list[Any], owner: Any) -> NodeResult:
        if node.layer == INPUT_LAYER:
            errors = _input_problems(node)
            if errors:
                return NodeResult(errors=errors)
            try:
                tensor = make_input(_keras_named(node))
            except Exception as exc:  # Keras validates dtype/shape combinations itself
                return NodeResult(errors=[clean_keras_error(exc)])
            return NodeResult(layer=tensor._keras_history.operation, outputs=[tensor])
        if node.layer == SUBMODEL_LAYER:
            return self._call_submodel(node, inputs)
        if node.layer == OPERATION_LAYER:
            return self._call_operation(node, inputs)
        spec = self.catalog.get(node.layer)
        problems = self.settings_problems(node)
        if spec is None or problems:
            return NodeResult(errors=problems)
        shapes = [tuple(t.shape) for t in inputs]
        problem = merge_problem(node.layer, node.config, shapes)
        if problem:
            return NodeResult(errors=[problem])
        layer = self._layer_for(graph, node, spec, owner)
        if isinstance(layer, str):
            return NodeResult(errors=[layer])
        kwargs = node.extra.get("call_kwargs", {}) or {}
        try:
            state = self.states.get(scope, node.id) if node.shares is None and keeps_state(layer) else None
            if state is not None:  # an adapted vocabulary decides the output's width: before the call
                restore_state(layer, state)
            outputs = call_layer(layer, inputs, spec, kwargs, node.extra.get("call_args"))
        except Exception as exc:  # any Keras complaint becomes the node's message
            return NodeResult(layer=layer, errors=[clean_keras_error(exc)])
        return NodeResult(layer=layer, outputs=outputs)

    def settings_problems(self, node: Node) -> list[str]:
        """What is wrong with a layer node on its own: an unknown layer or bad settings."""
        if node.layer in (INPUT_LAYER, SUBMODEL_LAYER):
            return _input_problems(node) if node.layer == INPUT_LAYER else []
        if node.layer == OPERATION_LAYER:
            return operation_problems(node)
        spec = self.catalog.get(node.layer)
        if spec is not None:
            # A node that shares a layer calls it as its owner configured it: its own settings are ignored.
            return [] if node.shares is not None else check_config(spec, node.config)
        reason = self.catalog.denied_reason(node.layer)
        if reason is None:
            close = self.catalog.suggest(node.layer)
            hint = f" (did you mean {' or '.join(close[:2])}?)" if close else ""
            reason = f"unknown layer '{node.layer}'{hint}"
        return [reason]

    def _layer_for(self, graph: Graph, node: Node, spec: Any, owner: Any) -> Any:
        """A new layer, or `owner` (the layer of the node it names) when this node `shares` another's weights."""
        owner_id = node.shares
        if owner_id is not None:
            if owner is None:
                return f"shares the layer of node '{shown_name(graph, owner_id)}', which is not built yet"
            return owner
        try:
            return make_layer(_keras_named(node), spec)
        except Exception as exc:
            return f"invalid settings: {clean_keras_error(exc)}"

    # -- sub-models ------------------------------------------------------------
    def _submodel_key(self, node: Node) -> tuple[Any, ...]:
        return self._called_key(node.config.get("submodel"))

    def _called_key(self, name: Any, calling: frozenset[str] = frozenset()) -> tuple[Any, ...]:
        """Changes whenever what a `Submodel` node calling `name` gets would (O(1) per sub-model).

        A sub-model's graph counts its edits (`Graph.revision`); one that calls
        others depends on them too; a missing one's message lists those there are.
        """
        graph = self.project.submodels.get(name) if isinstance(name, str) else None
        if graph is None:
            return (name, tuple(sorted(self.project.submodels)))
        if name in calling:
            return (name, id(graph))  # calls itself: reported, not followed forever
        inner = tuple(self._called_key(ref, calling | {name}) for ref in self._calls(graph))
        return (name, id(graph), graph.revision, inner)

    def _calls(self, graph: Graph) -> list[Any]:
        """The sub-model names `graph`'s Submodel nodes call, worked out once per revision."""
        known = self._references.get(id(graph))
        if known is None or known[0] is not graph or known[1] != graph.revision:
            names = [n.config.get("submodel") for n in graph.nodes if n.layer == SUBMODEL_LAYER]
            known = self._references[id(graph)] = (graph, graph.revision, names)
        return known[2]

    def result_of(self, scope: str, node_id: str) -> NodeResult | None:
        """What the last run of `scope` gave a node (None if that run did not reach it).

        Not the cache: a node downstream of a broken one keeps its cache entry for
        when the break is mended, but its current result is "unknown".
        """
        trace = self._traces.get(scope)
        return None if trace is None else trace.results.get(node_id)

    def try_call(self, graph: Graph, scope: str, node: Node, inputs: list[Any]) -> NodeResult:
        """Call a fresh copy of `node`'s layer on `inputs`, touching no cache (for what-ifs)."""
        owner = node.shares
        return self._compute(graph, scope, node, inputs, None if owner is None else self.layer_of(scope, owner))

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
        key = self._called_key(name)
        cached = self._submodels.get(name)
        if cached is not None and cached[0] == key:
            return cached[1], cached[2]
        results = self.run(graph, scope=name)
        problems = self.problems(name)
        if not self.traced(name):  # nothing traced, so no problem of a node: name the reason
            problems = [Problem(None, "its graph has a cycle", scope=name)]
        model = None
        if not problems:
            try:
                # A sub-model is a layer of the model that calls it: named by the same rule as one.
                model = model_from_results(graph, results, keras_name(name), graph_io(self.project, name))
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
            outputs = call_layer(model, inputs, None, node.extra.get("call_kwargs") or {}, node.extra.get("call_args"))
        except Exception as exc:
            return NodeResult(layer=model, errors=[clean_keras_error(exc)])
        return NodeResult(layer=model, outputs=outputs)

    def _call_operation(self, node: Node, inputs: list[Any]) -> NodeResult:
        """An `Operation` node: its `keras.ops` operation made afresh and called as the node lays it out."""
        problems = operation_problems(node)
        if problems:
            return NodeResult(errors=problems)
        if not inputs:  # no tensor to follow: Keras would compute it now, as big as the file asks (arange(2e9))
            return NodeResult(errors=["takes no input: an operation of the model needs a tensor wired into it"])
        try:
            operation = make_operation(_keras_named(node))
            return NodeResult(layer=operation, outputs=call_operation(operation, node, inputs))
        except Exception as exc:  # Keras' complaint (shapes, dtypes) becomes the node's message
            return NodeResult(errors=[clean_keras_error(exc)])


def _input_problems(node: Node) -> list[str]:
    """An Input's config problems; a shape too large to be one is checked once the shape is a shape."""
    problems = input_config_problems(node)
    too_large = None if problems else size_problem("shape", node.config.get("shape"))
    return problems if too_large is None else [too_large]


def _keras_named(node: Node) -> Node:
    """`node`, or a copy whose config names its layer `keras_name(node.name)`: an id such as
    "my tip!" (or one holding control characters) is not a name TensorFlow takes, and a
    layer is named after its node's id unless its config names it."""
    name = keras_name(node.name)
    return node if name == node.name else replace(node, config={**node.config, "name": name})


def model_from_results(graph: Graph, results: dict[str, NodeResult], name: str,
                       io: dict[str, Any] | None = None) -> keras.Model:
    """A functional model from a successful run: Inputs in node order, outputs per the graph.

    `io` (the graph's entry in the project's `io` section) names or nests them instead.
    """
    io = io or {}
    problems = io_problems(graph, io)
    if problems:
        raise BridgeError(problems)

    def tensor(leaf: tuple[str, int]) -> Any:
        result = results.get(leaf[0])
        if result is None or result.outputs is None:
            raise BridgeError([Problem(leaf[0], "this output has no value", graph.node(leaf[0]).layer)])
        if leaf[1] >= len(result.outputs):
            raise BridgeError([Problem(leaf[0], f"the model's outputs name its output {leaf[1]}, "
                                       f"but it has {len(result.outputs)}", graph.node(leaf[0]).layer)])
        return result.outputs[leaf[1]]

    ins = [results[nid].outputs[0] for nid in graph.input_ids()]  # type: ignore[index]
    outs = []
    for nid in graph.output_ids():
        result = results.get(nid)
        if result is None or result.outputs is None:
            raise BridgeError([Problem(nid, "this output has no value", graph.node(nid).layer if nid in graph else "")])
        outs.extend(result.outputs)
    if not ins:
        raise BridgeError(["the graph has no Input node: add one to feed the model"])
    inputs = pack(io["inputs"], tensor) if "inputs" in io else ins[0] if len(ins) == 1 else ins
    outputs = pack(io["outputs"], tensor) if "outputs" in io else outs[0] if len(outs) == 1 else outs
    try:
        return keras.Model(
            inputs=inputs,
            outputs=outputs,
            name=name.replace("/", "_") or "model",  # Keras refuses '/'; all else is kept
        )
    except Exception as exc:
        raise BridgeError([f"Keras cannot make a model of this graph: {clean_keras_error(exc)}"]) from exc
