"""Structural checks that need no Keras: cycles, dangling edges, arity, ports.

Each problem names the node it is about, so the canvas can turn that node red
and the command line can print one clear line per problem. How many inputs a
layer takes is not known here (that is the catalog's business); callers pass
an `input_range` function, keeping `graph/` free of Keras.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Mapping

from netbuilder.graph.model import INPUT_LAYER, SUBMODEL_LAYER, Edge, Graph, Node

# (min, max) number of inputs; max None means "any number"; None means unknown layer.
InputRange = tuple[int, int | None]
InputRangeFn = Callable[[Node], InputRange | None]

# How bad a problem is. Both stop the model from building; the editor draws an
# unfinished graph softly (a fresh card is not a mistake) and keeps red for errors.
ERROR = "error"  # something is wrong: shapes that cannot fit, a bad setting, a cycle
INCOMPLETE = "incomplete"  # something is missing yet: a wire, an Input, any layer at all

# Sub-models inside sub-models: far more than any model needs, and few enough that every
# walk into them (checking, building, exporting) stays clear of Python's stack limit,
# which checking alone reaches at about 150 levels.
MAX_SUBMODEL_DEPTH = 32
_SHOWN_PORTS = 5  # a message lists this many unconnected ports, then says how many in all


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the graph; `node_id` is None for graph-wide problems.

    `node_id` is the id (what files and the command line use); `message` names
    nodes by `Node.name`, as their cards do, so the editor can show it as it
    is (a node that does not exist has only its id).

    `severity` is left out of equality: it grades a problem, it does not make
    another one.
    """

    node_id: str | None
    message: str
    layer: str = ""
    scope: str = ""  # the sub-model the node lives in; "" for the main graph
    severity: str = field(default=ERROR, compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity != INCOMPLETE

    def __str__(self) -> str:
        where = f" in sub-model '{self.scope}'" if self.scope else ""
        if self.node_id is None:
            return f"sub-model '{self.scope}': {self.message}" if self.scope else self.message
        return f"{self.layer or 'node'} '{self.node_id}'{where}: {self.message}"


def shown_name(graph: Graph, node_id: str) -> str:
    """The name the node's card shows; the id for a node not (or no longer) in `graph`."""
    node = graph.get(node_id)
    return node.name if node is not None else node_id


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _describe_range(lo: int, hi: int | None) -> str:
    if hi is None:
        return f"at least {_plural(lo, 'input')}"
    if lo == hi:
        return _plural(lo, "input")
    return f"{lo} to {hi} inputs"


def default_input_range(node: Node) -> InputRange:
    """Used when no catalog is at hand: Input takes none, everything else one or more."""
    return (0, 0) if node.layer == INPUT_LAYER else (1, None)


def find_cycle(graph: Graph) -> list[str] | None:
    """One cycle as a list of node ids (first id repeated at the end), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {n.id: WHITE for n in graph.nodes}
    for root in colour:
        if colour[root] != WHITE:
            continue
        stack: list[tuple[str, list[Edge]]] = [(root, graph.outgoing(root))]
        path = [root]
        colour[root] = GREY
        while stack:
            nid, pending = stack[-1]
            if not pending:
                colour[nid] = BLACK
                stack.pop()
                path.pop()
                continue
            nxt = pending.pop().target
            if nxt not in colour:
                continue
            if colour[nxt] == GREY:
                return path[path.index(nxt):] + [nxt]
            if colour[nxt] == WHITE:
                colour[nxt] = GREY
                path.append(nxt)
                stack.append((nxt, graph.outgoing(nxt)))
    return None


def validate(graph: Graph, input_range: InputRangeFn = default_input_range) -> list[Problem]:
    """Every structural problem of `graph`, in node order, graph-wide ones first."""
    dangling = [e for e in graph.edges if e.source not in graph or e.target not in graph]
    problems = graph_problems(graph, bool(graph.input_ids()), dangling, find_cycle(graph))
    for node in graph.nodes:
        problems.extend(node_problems(graph, node, input_range))
    return problems


def graph_problems(graph: Graph, has_input: bool, dangling: list[Edge], cycle: list[str] | None) -> list[Problem]:
    """The problems `validate` lists before the per-node ones (for an empty graph, the only one).

    `dangling`: the edges with a missing end, in edge order; `cycle`: what
    `find_cycle` found. Taking these as arguments lets an incremental checker
    keep them up to date edit by edit and still word them exactly as `validate`.
    """
    problems: list[Problem] = []
    if not len(graph):
        return [Problem(None, "the graph is empty: add an Input and at least one layer", severity=INCOMPLETE)]
    if not has_input:
        problems.append(Problem(None, "the graph has no Input node: add one to feed the model", severity=INCOMPLETE))

    for e in dangling:
        for end in (e.source, e.target):
            if end not in graph:
                other = e.target if end == e.source else e.source
                layer = graph.node(other).layer if other in graph else ""
                problems.append(Problem(other, f"connected to node '{end}', which does not exist", layer))

    if graph.outputs is not None:
        for oid in graph.outputs:
            if oid not in graph:
                problems.append(Problem(None, f"the output list names node '{oid}', which does not exist"))

    if cycle:
        start = graph.node(cycle[0])
        path = " → ".join(graph.node(node_id).name for node_id in cycle)
        problems.append(Problem(start.id, "is part of a cycle: " + path, start.layer))
    return problems


def node_problems(graph: Graph, node: Node, input_range: InputRangeFn) -> list[Problem]:
    """What is wrong with one node's wiring; it depends on the node, its edges, the output list
    and the node it shares a layer with."""
    found: list[Problem] = []

    def say(message: str, severity: str = ERROR) -> None:
        found.append(Problem(node.id, message, node.layer, severity=severity))

    sharing = sharing_problem(graph, node)
    if sharing:
        say(sharing)
    incoming = [e for e in graph.incoming(node.id) if e.source in graph]
    rng = input_range(node)
    if rng is None:
        return found  # unknown layers are reported by the catalog check, once
    lo, hi = rng
    if node.layer == INPUT_LAYER:
        if incoming:
            say("an Input cannot have incoming connections")
        if not graph.outgoing(node.id) and (graph.outputs is None or node.id not in graph.outputs):
            say("is not connected to anything", INCOMPLETE)
        return found

    ports = Counter(e.target_port for e in incoming)
    for port, count in sorted(ports.items()):
        if count > 1:
            say(f"input port {port} is connected {count} times; a port takes one wire")
    n = len(ports)
    if n == 0 and lo > 0:
        say(f"has no inputs; it needs {_describe_range(lo, hi)}", INCOMPLETE)
    elif n < lo:
        say(f"has {_plural(n, 'input')}; it needs {_describe_range(lo, hi)}", INCOMPLETE)
    elif hi is not None and n > hi:
        say(f"has {_plural(n, 'input')}; it takes {_describe_range(lo, hi)}")
    if ports and n <= (hi if hi is not None else n):
        missing_count = max(ports) + 1 - n  # ports are distinct here: every gap below the highest is one
        if missing_count:
            shown = _first_missing(ports, _SHOWN_PORTS)
            ports_text = ", ".join(map(str, shown))
            if missing_count > len(shown):
                ports_text += f", … ({missing_count:,} in all)"
            say(f"input port {ports_text} is not connected" if missing_count == 1
                else f"input ports {ports_text} are not connected", INCOMPLETE)
    return found


def _first_missing(ports: Counter[int], most: int) -> list[int]:
    """The lowest ports not in `ports`, at most `most` of them: counted up to, never ranged over."""
    missing: list[int] = []
    port, top = 0, max(ports)
    while len(missing) < most and port < top:
        if port not in ports:
            missing.append(port)
        port += 1
    return missing


def submodel_calls(graph: Graph) -> list[str]:
    """The sub-models `graph`'s Submodel nodes call (those named by text), each once, in node order."""
    names = (n.config.get("submodel") for n in graph.nodes if n.layer == SUBMODEL_LAYER)
    return list(dict.fromkeys(name for name in names if isinstance(name, str)))


def submodel_problems(submodels: Mapping[str, Graph], limit: int = MAX_SUBMODEL_DEPTH) -> list[str]:
    """Sub-models that contain themselves (directly or through others), or nest more than `limit` deep.

    Either would send every walk that follows a `Submodel` node into the
    graph it calls (building, drawing, exporting) round for ever or past
    Python's stack. One sentence per cycle, naming the sub-models in it.
    Iterative, so a chain of thousands of sub-models is safe to check.
    """
    calls = {name: [c for c in submodel_calls(g) if c in submodels] for name, g in submodels.items()}
    problems: list[str] = []
    depth: dict[str, int] = {}  # levels of sub-models from this one down, itself included
    deepest: dict[str, str | None] = {}  # the callee that gives that depth
    for root in calls:
        if root in depth:
            continue
        path, stack = [root], [iter(calls[root])]
        on_path = {root}
        while stack:
            callee = next(stack[-1], None)
            if callee is None:
                name = path.pop()
                on_path.discard(name)
                stack.pop()
                below = [c for c in calls[name] if c in depth]
                deepest[name] = max(below, key=depth.__getitem__, default=None)
                depth[name] = 1 + (depth[deepest[name]] if deepest[name] is not None else 0)
            elif callee in on_path:
                cycle = path[path.index(callee):] + [callee]
                problems.append(f"sub-model '{callee}' contains itself: {' → '.join(cycle)}; "
                                "a sub-model cannot call itself, directly or through others")
            elif callee not in depth:
                path.append(callee)
                on_path.add(callee)
                stack.append(iter(calls[callee]))
    if problems:
        return problems
    top = max(depth, key=depth.__getitem__, default=None)  # every sub-model is built, called or not
    if top is not None and depth[top] > limit:
        chain = [top]
        while (after := deepest[chain[-1]]) is not None:
            chain.append(after)
        shown = " → ".join(chain if len(chain) <= 6 else [*chain[:3], "…", *chain[-2:]])
        problems.append(f"sub-models nest {depth[top]} levels deep ({shown}); netbuilder builds at most {limit}")
    return problems


def sharing_problem(graph: Graph, node: Node) -> str | None:
    """What is wrong with the layer `node.shares` names (None: nothing, or it shares none).

    It depends on the node and on the node it names (nothing further), so a
    checker that follows edits re-checks the sharers of every node an edit touched.
    """
    owner_id = node.shares
    if owner_id is None:
        return None
    if node.layer == INPUT_LAYER:
        return "an Input cannot share a layer"
    if node.layer == SUBMODEL_LAYER:
        return "a Submodel node cannot share a layer; nodes that call one sub-model share its weights already"
    if owner_id == node.id:
        return "shares its own layer; name another node whose layer it calls again"
    owner = graph.get(owner_id)
    if owner is None:
        return f"shares the layer of node '{owner_id}', which does not exist in this graph"
    if owner.layer != node.layer:
        return f"shares the layer of '{owner.name}', a {owner.layer}; a {node.layer} can only share a {node.layer}"
    if owner.shares is not None:
        return f"shares the layer of '{owner.name}', which shares another node's layer itself; share that one directly"
    return None


@dataclass(frozen=True)
class Verdict:
    """Whether a wire may be drawn: why not (None: it may) and the obvious fix, if any.

    `fix` names a layer to insert between source and target (e.g. "Flatten");
    `overridable` marks advice rather than a rule: Keras would accept the wire.
    """

    problem: str | None = None
    fix: str | None = None
    overridable: bool = False


def connection_problem(
    graph: Graph, edge: Edge, input_range: InputRangeFn = default_input_range
) -> str | None:
    """Why `edge` may not be added (a sentence for the user), or None if it may.

    This is what the canvas asks while a wire is dragged: it covers missing
    nodes, self-loops, cycles, occupied ports and arity. Shapes are checked
    separately by the Keras bridge. Nodes are named as their cards name them;
    a missing node only has its id.
    """
    for end in (edge.source, edge.target):
        if end not in graph:
            return f"node '{end}' does not exist"
    if edge.source == edge.target:
        return "a node cannot feed itself"
    source, target = graph.node(edge.source), graph.node(edge.target)
    if target.layer == INPUT_LAYER:
        return "an Input cannot have incoming connections"
    if graph.has_edge(edge):
        return "these ports are already connected"
    incoming = graph.incoming(edge.target)
    if any(e.target_port == edge.target_port for e in incoming):
        return f"input port {edge.target_port} of '{target.name}' is already connected"
    rng = input_range(target)
    if rng is not None and rng[1] is not None and len(incoming) >= rng[1]:
        return f"{target.layer} takes {_describe_range(*rng)} and '{target.name}' has all it can take"
    if rng is not None and rng[1] is not None and edge.target_port >= rng[1]:
        return f"{target.layer} has no input port {edge.target_port}"
    if reaches(graph, edge.target, edge.source):
        return f"this would create a cycle: '{source.name}' already depends on '{target.name}'"
    return None


def reaches(graph: Graph, start: str, goal: str) -> bool:
    """Whether a path leads from `start` to `goal` (it visits only what lies below `start`)."""
    seen = {start}
    todo = [start]
    while todo:
        nid = todo.pop()
        if nid == goal:
            return True
        for e in graph.outgoing(nid):
            if e.target not in seen:
                seen.add(e.target)
                todo.append(e.target)
    return False
