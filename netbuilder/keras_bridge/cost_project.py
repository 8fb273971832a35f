"""The per-layer cost of a project's model, from the layers its checker already built.

The editor's `ProjectChecker` traces the graph after every edit and keeps each
node's Keras layer and call; costing walks those calls in graph order, so no
`keras.Model` is built and, with one `Analysis` kept beside the checker, an
edit re-costs only the nodes it touched (see `layer_cost.Analysis`).
"""

from __future__ import annotations

from typing import Any, Mapping

from netbuilder.graph import Project
from netbuilder.keras_bridge.checks import ProjectChecker
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.layer_cost import Analysis, LayerCost
from netbuilder.keras_bridge.tracer import NodeResult


def project_costs(project: Project, checker: ProjectChecker | None = None,
                  analysis: Analysis | None = None) -> list[LayerCost]:
    """Every layer's cost in the project's main graph, sub-models by their layers; BridgeError if it is not valid.

    Pass the editor's `checker` and a kept `analysis` to re-cost after an edit
    for the price of what changed.
    """
    report = (checker or ProjectChecker(project)).check()
    if report.problems:
        raise BridgeError(report.problems)
    return (analysis or Analysis()).of_calls(checked_calls(project, report.results))


def checked_calls(project: Project, results: Mapping[str, NodeResult]) -> list[tuple[str, Any, Any]]:
    """(node id, Keras call, what the node's layer was made from) of each node of the main graph.

    `results` is a check's (`Report.results`), in the order the checker traced
    the nodes: every node after its inputs.
    """
    graph = project.graph
    calls = []
    for node_id, result in results.items():
        if not result.outputs:
            continue
        operation, index, _ = result.outputs[0]._keras_history
        node = graph.node(node_id)
        # A shared node's own config is ignored (its owner's decides), but it is what the user edits.
        made_from = (node.layer, node.config, node.shares, node.extra or None)
        calls.append((node_id, operation._inbound_nodes[index], made_from))
    return calls
