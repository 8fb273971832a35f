"""The summary's rows stay in Keras' order through any run of edits, however a refresh works the order out."""

import random

from netbuilder.graph import Edge, Graph, Node
from netbuilder.ui.summary_table import SummaryTable


def refreshed(table):
    table.apply(table.refresh({}, {}))
    return table.order


def test_rows_follow_the_graph_order_through_random_edits():
    rng = random.Random(7)
    graph = Graph()
    for i in range(30):
        graph.add_node(Node(f"n{i}", "Dense", {"units": 2}))
        if i:
            graph.add_edge(Edge(f"n{rng.randrange(i)}", f"n{i}", target_port=0))
    table = SummaryTable(graph, lambda nid: None, lambda nid: None)
    assert refreshed(table) == graph.topological_order()
    made = 30
    for step in range(300):
        nodes = [n.id for n in graph.nodes]
        kind = rng.random() if len(nodes) > 5 else 0.0
        if kind < 0.35:  # a layer added below another: the common edit, ordered without a full sort
            new = f"n{made}"
            made += 1
            graph.add_node(Node(new, "Dense", {"units": 2}))
            graph.add_edge(Edge(rng.choice(nodes), new))
        elif kind < 0.6:  # a last layer removed, as its undo does
            sinks = [nid for nid in nodes if not graph.outgoing(nid)]
            victim = rng.choice(sinks)
            for edge in graph.incoming(victim):
                graph.remove_edge(edge)
            graph.remove_node(victim)
        elif kind < 0.8:  # a wire between two layers already there: in topological order, so no cycle
            order = graph.topological_order()
            a, b = sorted(rng.sample(range(len(order)), 2))
            edge = Edge(order[a], order[b], target_port=len(graph.incoming(order[b])))
            if not any(e.source == edge.source for e in graph.incoming(edge.target)):
                graph.add_edge(edge)
        else:  # a layer in the middle removed with its wires
            victim = rng.choice(nodes)
            for edge in graph.incoming(victim) + graph.outgoing(victim):
                graph.remove_edge(edge)
            graph.remove_node(victim)
        if rng.random() < 0.6:  # or several edits come between two refreshes
            assert refreshed(table) == graph.topological_order(), step
    assert refreshed(table) == graph.topological_order()
