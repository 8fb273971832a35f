"""From the document to what each node card and wire label shows (no drawing here)."""

from __future__ import annotations

from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER, Edge, Node, Problem
from netbuilder.ui.canvas.node_item import NodeLook
from netbuilder.ui.canvas.node_text import fmt_shape, key_settings, shapes_text
from netbuilder.ui.document import EditorDocument


class ProblemIndex:
    """The document's problems filed by node, so each of 10,000 cards finds its own without a scan."""

    def __init__(self, problems: list[Problem], scope: str) -> None:
        self._source = problems
        self._scope = scope
        self._by_node: dict[str | None, list[Problem]] = {}
        for problem in problems:
            if problem.scope == scope:
                self._by_node.setdefault(problem.node_id, []).append(problem)

    def describes(self, document: EditorDocument) -> bool:
        """Still the document's problems? (A check replaces the list; it is never changed in place.)"""
        return document.problems is self._source and document.scope == self._scope

    def of(self, node_id: str) -> list[Problem]:
        return self._by_node.get(node_id, [])


def problem_index(document: EditorDocument) -> ProblemIndex:
    return ProblemIndex(document.problems, document.scope)


def category_of(document: EditorDocument, layer: str) -> str:
    if layer == INPUT_LAYER:
        return "Input"
    if layer == SUBMODEL_LAYER:
        return "Sub-models"
    spec = document.catalog.get(layer)
    return spec.category if spec is not None else "Unknown"


def input_port_names(document: EditorDocument, node: Node) -> list[str]:
    """One entry per input port to draw; merges keep one free port to connect the next input."""
    incoming = document.graph.incoming(node.id)
    used = max((e.target_port for e in incoming), default=-1) + 1
    rng = document.input_range(node)
    if rng is None:
        count = max(used, 1)
    else:
        low, high = rng
        wanted = max(low, used + 1)
        count = max(used, wanted if high is None else min(high, wanted))
    names: list[str] = []
    if node.layer == SUBMODEL_LAYER:
        sub = document.project.submodels.get(node.config.get("submodel", ""))
        if sub is not None:
            names = [sub.node(i).name for i in sub.input_ids()]
    else:
        spec = document.catalog.get(node.layer)
        names = list(spec.port_names) if spec is not None else []
    return [names[i] if i < len(names) else "" for i in range(count)]


def output_count(document: EditorDocument, node: Node) -> int:
    used = max((e.source_port for e in document.graph.outgoing(node.id)), default=-1) + 1
    shapes = document.shapes(node.id)
    if shapes is not None:
        known = len(shapes)
    elif node.layer == SUBMODEL_LAYER:
        sub = document.project.submodels.get(node.config.get("submodel", ""))
        known = len(sub.output_ids()) if sub is not None else 1
    else:
        known = 1
    return max(known, used, 1)


def node_look(document: EditorDocument, node: Node, outputs: set[str], problems: ProblemIndex) -> NodeLook:
    spec = document.catalog.get(node.layer)
    mine = problems.of(node.id)
    return NodeLook(
        layer=node.layer,
        name=node.name,
        category=category_of(document, node.layer),
        settings=key_settings(node),
        shapes=shapes_text(document.shapes(node.id)) if document.keras_ready else "→ …",
        problems=[p.message for p in mine if p.is_error],
        hints=[p.message for p in mine if not p.is_error],
        doc=spec.doc if spec is not None else "",
        inputs=[] if node.layer == INPUT_LAYER else input_port_names(document, node),
        outputs=output_count(document, node),
        is_output=node.id in outputs,
    )


def wire_label(document: EditorDocument, edge: Edge) -> str:
    shapes = document.shapes(edge.source)
    if shapes is None or edge.source_port >= len(shapes):
        return ""
    return fmt_shape(shapes[edge.source_port])
