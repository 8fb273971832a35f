"""Property: the re-check after any edit says exactly what a check from scratch says.

The editor re-checks incrementally (only what an edit touched, and shapes
downstream of it). Random edit sessions — including edits the editor would
refuse (cycles, a port wired twice, wires to missing nodes, names used twice,
shared layers, sub-models) and undo/redo — compare, after every step, the
incremental problem list (wording, order and severity) and shapes with those
of a fresh checker.
"""

from __future__ import annotations

import random

import pytest

from netbuilder.catalog import load_catalog
from netbuilder.catalog.project_check import StructuralChecker, structural_problems
from netbuilder.graph import (
    INPUT_LAYER,
    SUBMODEL_LAYER,
    AddNode,
    Compound,
    Command,
    Connect,
    Disconnect,
    Edge,
    Graph,
    Node,
    SetConfig,
    SetOutputs,
    UndoStack,
    remove_node,
)
from netbuilder.graph.grouping import group_command, ungroup_command
from netbuilder.graph.project_commands import AddSubmodel, RemoveSubmodel, RenameSubmodel
from netbuilder.graph.project_file import Project, load

from helpers import EXAMPLES

LAYERS = ["Dense", "Dense", "Dense", "Add", "Concatenate", "Flatten", "Dropout", INPUT_LAYER, SUBMODEL_LAYER, "Dens"]


def graded(problems):
    """Problems with their severity, which `Problem` equality leaves out."""
    return [(p, p.severity) for p in problems]


class RandomEdits:
    """Random commands of every kind, many of which leave the graph broken on purpose."""

    def __init__(self, project: Project, rng: random.Random, shares: bool = True) -> None:
        self.project, self.rng, self.shares = project, rng, shares
        self.count = 0

    def fresh(self, stem: str) -> str:
        self.count += 1
        return f"{stem}{self.count}"

    def graph(self) -> Graph:
        return self.rng.choice([self.project.graph, self.project.graph, *self.project.submodels.values()])

    def ids(self, graph: Graph) -> list[str]:
        return [n.id for n in graph.nodes]

    def any_name(self, graph: Graph) -> str:
        """An existing node's id or name (a clash), or a fresh one."""
        ids = self.ids(graph)
        return self.rng.choice(ids) if ids and self.rng.random() < 0.6 else self.fresh("n")

    def command(self) -> Command | None:
        graph = self.graph()
        kind = self.rng.choice([
            self.add, self.add, self.connect, self.connect, self.connect, self.disconnect, self.delete,
            self.configure, self.outputs, self.group, self.ungroup, self.submodels,
        ])
        try:
            return kind(graph)
        except ValueError:
            return None  # refused with a sentence, as the editor would show it

    def add(self, graph: Graph) -> Command:
        layer = self.rng.choice(LAYERS)
        config: dict = {"units": self.rng.randint(1, 4)} if layer == "Dense" else {}
        if layer == INPUT_LAYER:
            config = {"shape": [self.rng.choice([2, 3])]}
        elif layer == SUBMODEL_LAYER:
            config = {"submodel": self.rng.choice([*self.project.submodels, "missing"])}
        if self.rng.random() < 0.2:
            config["name"] = self.any_name(graph)
        shares = None
        dense = [n.id for n in graph.nodes if n.layer == "Dense"]
        if self.shares and layer == "Dense" and dense and self.rng.random() < 0.3:
            shares = self.rng.choice(dense)
        return AddNode(graph, Node(self.fresh("n"), layer, config, shares=shares))

    def connect(self, graph: Graph) -> Command | None:
        ids = self.ids(graph)
        if not ids:
            return None
        source = self.rng.choice(ids) if self.rng.random() < 0.9 else self.fresh("ghost")
        edge = Edge(source, self.rng.choice(ids), 0, self.rng.choice([0, 0, 1, 2]))
        return None if graph.has_edge(edge) else Connect(graph, edge)

    def disconnect(self, graph: Graph) -> Command | None:
        return Disconnect(graph, self.rng.choice(graph.edges)) if graph.edges else None

    def delete(self, graph: Graph) -> Command | None:
        return remove_node(graph, self.rng.choice(self.ids(graph))) if len(graph) else None

    def configure(self, graph: Graph) -> Command | None:
        if not len(graph):
            return None
        node = self.rng.choice(graph.nodes)
        config = dict(node.config)
        roll = self.rng.random()
        if roll < 0.4:
            config["name"] = self.any_name(graph)
        elif roll < 0.5:
            config.pop("name", None)
        elif node.layer == "Dense":
            config["units"] = self.rng.choice([0, 1, 2, 3])
        elif node.layer == SUBMODEL_LAYER:
            config["submodel"] = self.rng.choice([*self.project.submodels, "missing"])
        return SetConfig(graph, node.id, config)

    def outputs(self, graph: Graph) -> Command:
        ids = self.ids(graph) + ["ghost"]
        return SetOutputs(graph, None if self.rng.random() < 0.4 else self.rng.sample(ids, min(2, len(ids))))

    def group(self, graph: Graph) -> Command | None:
        layers = [n.id for n in graph.nodes if n.layer != INPUT_LAYER]
        if not layers:
            return None
        chosen = self.rng.sample(layers, min(len(layers), self.rng.randint(1, 2)))
        return group_command(self.project, graph, chosen, self.fresh("sub"), lambda node_id, port: [None, 3])[0]

    def ungroup(self, graph: Graph) -> Command | None:
        users = [n.id for n in graph.nodes if n.layer == SUBMODEL_LAYER]
        return ungroup_command(self.project, graph, self.rng.choice(users)) if users else None

    def submodels(self, graph: Graph) -> Command | None:
        names = list(self.project.submodels)
        roll = self.rng.random()
        if roll < 0.4 or not names:
            sub = Graph()
            sub.add_node(Node("x", INPUT_LAYER, {"shape": [3]}))
            sub.add_node(Node("d", "Dense", {"units": 2}))
            sub.add_edge(Edge("x", "d"))
            return AddSubmodel(self.project, self.fresh("sub"), sub)
        if roll < 0.7:
            return RenameSubmodel(self.project, self.rng.choice(names), self.fresh("sub"))
        return RemoveSubmodel(self.project, self.rng.choice(names))


def session(project: Project, seed: int, steps: int, compare, shares: bool = True) -> None:
    """Random edits with undo and redo, calling `compare()` after each."""
    rng = random.Random(seed)
    edits = RandomEdits(project, rng, shares)
    stack = UndoStack()
    compare()
    done = 0
    while done < steps:
        roll = rng.random()
        if roll < 0.2 and stack.can_undo:
            stack.undo()
        elif roll < 0.27 and stack.can_redo:
            stack.redo()
        else:
            command = edits.command()
            if command is None:
                continue
            try:
                stack.push(command)
            except ValueError:
                continue  # e.g. an id taken since the command was made
        done += 1
        compare()


def broken_file_project() -> Project:
    """A file of the kind `validate` exists for: a wire to a missing node, a cycle, a name used twice."""
    from netbuilder.graph.project_file import from_dict

    return from_dict({"format": "netbuilder", "version": 1, "name": "broken", "graph": {
        "nodes": [
            {"id": "x", "layer": "Input", "config": {"shape": [3]}},
            {"id": "a", "layer": "Dense", "config": {"units": 2}},
            {"id": "b", "layer": "Dense", "config": {"units": 2, "name": "a"}},
            {"id": "c", "layer": "Dense", "config": {"units": 2}},
            {"id": "d", "layer": "Dense", "config": {"units": 2}},
        ],
        "edges": [
            {"source": "x", "target": "a"}, {"source": "x", "target": "b"}, {"source": "ghost", "target": "b"},
            {"source": "c", "target": "d"}, {"source": "d", "target": "c"},
        ],
    }})


def starting_projects() -> list[Project]:
    return [*(load(path) for path in sorted(EXAMPLES.glob("*.nbproj"))), broken_file_project()]


@pytest.mark.parametrize("seed", range(24))
def test_structural_recheck_after_every_edit_equals_checking_from_scratch(seed):
    catalog = load_catalog()
    projects = starting_projects()
    project = projects[seed % len(projects)]
    checker = StructuralChecker(project, catalog)

    def compare() -> None:
        assert graded(checker.problems()) == graded(structural_problems(project, catalog))

    session(project, seed, 60, compare)


def test_a_node_that_comes_under_a_name_a_wire_already_used_is_rechecked():
    # Only a file can hold a wire to a missing node; the node may be added later.
    catalog = load_catalog()
    project = broken_file_project()
    checker = StructuralChecker(project, catalog)
    assert "connected to node 'ghost', which does not exist" in [p.message for p in checker.problems()]
    project.graph.add_node(Node("ghost", INPUT_LAYER, {"shape": [3]}))
    assert graded(checker.problems()) == graded(structural_problems(project, catalog))
    assert "connected to node 'ghost', which does not exist" not in [p.message for p in checker.problems()]


@pytest.mark.parametrize("seed", range(6))
def test_full_recheck_after_every_edit_equals_checking_from_scratch(seed):
    from netbuilder.keras_bridge import ProjectChecker

    catalog = load_catalog()
    projects = [load(EXAMPLES / "wide_and_deep.nbproj"), load(EXAMPLES / "mlp_128_10.nbproj"), broken_file_project()]
    project = projects[seed % len(projects)]
    checker = ProjectChecker(project, catalog)

    def compare() -> None:
        again = checker.check()
        fresh = ProjectChecker(project, catalog).check()
        assert graded(again.problems) == graded(fresh.problems)
        assert again.shapes() == fresh.shapes()

    session(project, seed, 25, compare)


def keras_project(nodes, edges) -> Project:
    from netbuilder.graph.project_file import from_dict

    return from_dict({"format": "netbuilder", "version": 1, "name": "p", "graph": {
        "nodes": [{"id": i, "layer": layer, "config": config, **extra} for i, layer, config, extra in nodes],
        "edges": [{"source": s, "target": t} for s, t in edges],
    }})


def assert_same_as_fresh(checker, project):
    from netbuilder.keras_bridge import ProjectChecker

    again, fresh = checker.check(), ProjectChecker(project, checker.catalog).check()
    assert graded(again.problems) == graded(fresh.problems)
    assert again.shapes() == fresh.shapes()
    return again


def test_a_layer_shared_with_another_follows_it_when_that_one_changes():
    from netbuilder.keras_bridge import ProjectChecker

    project = keras_project(
        [("x", "Input", {"shape": [3]}, {}), ("owner", "Dense", {"units": 3}, {}),
         ("twin", "Dense", {"units": 3}, {"shares": "owner"})],
        [("x", "owner"), ("x", "twin")])
    checker = ProjectChecker(project, load_catalog())
    assert checker.check().shapes()["twin"] == [(None, 3)]
    UndoStack().push(SetConfig(project.graph, "owner", {"units": 5}))
    assert assert_same_as_fresh(checker, project).shapes()["twin"] == [(None, 5)]


def test_which_of_two_nodes_keeps_a_name_follows_the_order_an_edit_elsewhere_gives():
    from netbuilder.keras_bridge import ProjectChecker

    # `p` is traced before `q` until a new Input feeds `b`, which holds `p` back.
    project = keras_project(
        [("a", "Input", {"shape": [3]}, {}), ("b", "Dense", {"units": 3}, {}),
         ("p", "Dense", {"units": 2, "name": "same"}, {}), ("q", "Dense", {"units": 2, "name": "same"}, {})],
        [("b", "p"), ("a", "q")])
    checker = ProjectChecker(project, load_catalog())
    assert [p.node_id for p in checker.check().problems if "already used" in p.message] == ["q"]
    stack = UndoStack()
    stack.push(Compound("feed b", [AddNode(project.graph, Node("z", INPUT_LAYER, {"shape": [3]})),
                                   Connect(project.graph, Edge("z", "b"))]))
    report = assert_same_as_fresh(checker, project)
    assert [p.node_id for p in report.problems if "already used" in p.message] == ["p"]
    stack.undo()
    assert_same_as_fresh(checker, project)


def test_a_shared_layer_is_not_borrowed_once_an_edit_elsewhere_puts_its_owner_after_the_borrower():
    from netbuilder.keras_bridge import ProjectChecker

    project = keras_project(
        [("a", "Input", {"shape": [3]}, {}), ("w", "Input", {"shape": [3]}, {}),
         ("b", "Dense", {"units": 3}, {}), ("owner", "Dense", {"units": 2}, {}),
         ("twin", "Dense", {"units": 2}, {"shares": "owner"})],
        [("w", "b"), ("b", "owner"), ("a", "twin")])
    checker = ProjectChecker(project, load_catalog())
    assert checker.check().shapes()["twin"] == [(None, 2)]
    stack = UndoStack()
    stack.push(Compound("feed w", [AddNode(project.graph, Node("z", INPUT_LAYER, {"shape": [3]})),
                                   Connect(project.graph, Edge("z", "w"))]))
    report = assert_same_as_fresh(checker, project)
    assert "shares the layer of node 'owner', which is not built yet" in [p.message for p in report.problems]
    stack.undo()
    assert assert_same_as_fresh(checker, project).shapes()["twin"] == [(None, 2)]


def test_a_checker_that_is_dropped_stops_following_the_graph():
    # One-shot checks (build, export, `netbuilder validate`) must not leave a listener
    # behind on the project's graph for each time they ran.
    import gc

    project = broken_file_project()
    listeners = len(project.graph.node_added._listeners)
    for _ in range(5):
        StructuralChecker(project, load_catalog()).problems()
    gc.collect()
    project.graph.add_node(Node("later", "Dense", {"units": 2}))  # each stale listener unsubscribes here
    assert len(project.graph.node_added._listeners) == listeners


def test_a_sub_model_with_a_cycle_is_reported_where_it_is_called_not_a_crash():
    from netbuilder.keras_bridge import check_project

    project = keras_project([("x", "Input", {"shape": [3]}, {}), ("s", SUBMODEL_LAYER, {"submodel": "loop"}, {})],
                            [("x", "s")])
    loop = Graph()
    for node in (Node("i", INPUT_LAYER, {"shape": [3]}), Node("a", "Dense", {"units": 3}), Node("b", "Dense", {"units": 3})):
        loop.add_node(node)
    for edge in (Edge("i", "a"), Edge("a", "b"), Edge("b", "a", 0, 1)):
        loop.add_edge(edge)
    project.submodels["loop"] = loop
    messages = [str(p) for p in check_project(project).problems]
    assert "Submodel 's': sub-model 'loop' is not valid (1 problem(s) inside it)" in messages
    assert any("is part of a cycle" in m for m in messages)
