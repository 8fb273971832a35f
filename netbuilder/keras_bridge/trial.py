"""Would this wire work? The shape half of the editor's drag-time connection check.

`graph.connection_problem` answers the structural half (cycles, occupied ports,
arity) without Keras. This module calls the target layer on the tensors it
would receive — its current inputs plus the new one, in port order — using a
fresh layer, so nothing in the checker's cache or the document changes.
"""

from __future__ import annotations

from netbuilder.graph import Edge, Graph
from netbuilder.graph.validation import Verdict
from netbuilder.keras_bridge.checks import ProjectChecker
from netbuilder.keras_bridge.messages import fmt_shape

# Layers that act on the last axis only: fed an image-like tensor they silently
# keep its spatial axes, which is almost never what a beginner drawing it meant.
_LAST_AXIS_LAYERS = {"Dense"}


def shape_verdict(checker: ProjectChecker, graph: Graph, scope: str, edge: Edge) -> Verdict:
    """Shape check of `edge` in `graph` (which is the project's graph for `scope`)."""
    tracer = checker.tracer
    source = tracer.result_of(scope, edge.source)
    if source is None or source.outputs is None or edge.source_port >= len(source.outputs):
        return Verdict()  # nothing known upstream yet: the structural check has the last word
    target = graph.node(edge.target)
    incoming = [(e.target_port, e) for e in graph.incoming(edge.target)] + [(edge.target_port, edge)]
    tensors = []
    for _, e in sorted(incoming, key=lambda pair: pair[0]):
        result = tracer.result_of(scope, e.source)
        if result is None or result.outputs is None or e.source_port >= len(result.outputs):
            return Verdict()
        tensors.append(result.outputs[e.source_port])
    rng = checker.catalog.input_range(target, checker.project.submodels)
    if rng is not None and len(tensors) < rng[0]:
        return Verdict()  # a merge still waiting for its other inputs: judge it when they come
    new_shape = tuple(source.outputs[edge.source_port].shape)
    if target.layer in _LAST_AXIS_LAYERS and len(new_shape) >= 4:
        return Verdict(
            f"{target.layer} after a {len(new_shape)}-D tensor {fmt_shape(new_shape)} works on its last "
            f"axis only and keeps the other axes; insert a Flatten first",
            fix="Flatten",
            overridable=True,
        )
    result = tracer.try_call(graph, scope, target, tensors)
    if result.errors:
        fix = "Flatten" if len(new_shape) >= 3 and "expects a 2-D input" in result.errors[0] else None
        return Verdict(result.errors[0], fix=fix)
    return Verdict()
