"""Where copies go: beside the originals, never over another card (and its ports)."""

from netbuilder.graph import Graph, Node
from netbuilder.graph.fragment import copy_fragment, duplicate_command, paste_command
from netbuilder.graph.placement import CARD, CLEARANCE, GAP, beside_offset, bounding_box, free_offset


def grid(*positions):
    graph = Graph()
    for i, pos in enumerate(positions):
        graph.add_node(Node(f"n{i}", "Dense", {"units": 1}, pos))
    return graph


def rect(node, size=CARD):
    x, y = node.position
    return (x, y, x + size[0], y + size[1])


def covers(a, b, margin=CLEARANCE):
    return a[0] - margin < b[2] and b[0] - margin < a[2] and a[1] - margin < b[3] and b[1] - margin < a[3]


def assert_nothing_covered(graph):
    placed = [n for n in graph.nodes if n.position is not None]
    for i, a in enumerate(placed):
        for b in placed[i + 1:]:
            assert not covers(rect(a), rect(b)), f"{a.id} covers {b.id}"


def test_a_copy_goes_just_right_of_the_selection_when_that_is_free():
    graph = grid((0.0, 0.0), (0.0, 200.0))
    assert beside_offset(graph, [graph.node("n0"), graph.node("n1")]) == (CARD[0] + GAP, 0.0)


def test_a_copy_skips_past_cards_in_the_way():
    graph = grid((0.0, 0.0), (CARD[0] + GAP, 20.0), (2 * (CARD[0] + GAP), -30.0))
    dx, dy = beside_offset(graph, [graph.node("n0")])
    assert dy == 0.0 and dx == 3 * (CARD[0] + GAP)


def test_cards_far_above_or_below_do_not_push_the_copy():
    graph = grid((0.0, 0.0), (CARD[0] + GAP, 400.0))
    assert beside_offset(graph, [graph.node("n0")]) == (CARD[0] + GAP, 0.0)


def test_wide_cards_are_measured_by_the_footprint_given():
    graph = grid((0.0, 0.0), (300.0, 0.0))
    wide = {"n0": (400.0, 66.0)}
    offset = beside_offset(graph, [graph.node("n0")], lambda n: wide.get(n.id, CARD))
    assert offset[0] >= 300.0 + CARD[0] + GAP  # right of n0's 400 px and of n1


def test_an_explicit_spot_is_kept_when_free_and_moved_right_when_not():
    graph = grid((0.0, 0.0))
    lone = Node("copy", "Dense", {}, (0.0, 0.0))
    assert free_offset(graph, [lone], (0.0, 300.0)) == (0.0, 300.0)
    dx, dy = free_offset(graph, [lone], (10.0, 10.0))
    assert dy == 10.0 and dx >= CARD[0] + CLEARANCE


def test_unplaced_nodes_are_left_to_the_layout():
    graph = grid((0.0, 0.0))
    assert bounding_box([Node("a", "Dense")]) is None
    assert free_offset(graph, [Node("a", "Dense")], (0.0, 0.0)) == (0.0, 0.0)


def test_repeated_duplicates_and_pastes_never_cover_a_card():
    graph = grid((0.0, 0.0), (0.0, 120.0), (240.0, 60.0), (480.0, 0.0))
    for _ in range(3):
        command, ids = duplicate_command(graph, ["n0", "n1"])
        command.redo()
    data = copy_fragment(graph, ["n2"])
    for _ in range(3):
        command, ids = paste_command(graph, data)
        command.redo()
    assert len(graph) == 4 + 6 + 3
    assert_nothing_covered(graph)
