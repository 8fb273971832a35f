"""Hypothesis strategies for hostile project files: real projects, then mutated as an attacker would.

A case starts from a bundled example or a small generated project and applies
a few mutations anywhere in the document: values swapped for wrong types,
huge, negative or non-finite numbers, text with control characters, terminal
escapes, lone surrogates and right-to-left marks, deep nesting, missing keys,
duplicated nodes and edges, new wires (cycles, self-loops, dangling ends,
absurd ports), renamed ids, shared layers pointing anywhere, sub-models that
call themselves. Last, the JSON text itself may be cut short or spliced with
bytes that are not UTF-8. Everything shrinks: a failure is reported as the
smallest file that still fails.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "resources" / "examples").glob("*.nbproj"))
EXAMPLE_DOCS = [json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]

NASTY_TEXT = [
    "", " ", "my tip!", "\x1b[31mred\x1b[0m", "\x1b]0;pwned\x07", "line\nbreak", "carriage\rreturn", "nul\x00",
    "\ud800", "lone\udfff", "\u202eevil", "quote'd", 'dq"', "back\\slash", "é", "→", "数据", "🙂", "a/b", "x" * 300,
    "Dense", "Input", "Submodel", "Concatenate", "units", "shape", "shares", "submodel", "name",
]
NASTY_NUMBERS = [0, -1, 1, 2, 3, 2**31, 2**40, 2**63, 2**64, -(2**64), 10**30, 10**400, 1e308, 1e400, -0.0, 0.5,
                 float("nan"), float("inf"), float("-inf"), 1000000000, 9999, 10000]
OPERATIONS = ["mean", "arange", "tile", "get_item", "image.resize", "broadcast_to", "nope", "__import__", "eval"]
SETTING_KEYS = ["units", "filters", "kernel_size", "input_dim", "output_dim", "shape", "n", "target_shape", "size",
                "name", "rate", "activation", "axis", "dtype", "submodel", "layer", "padding", "strides"]


# Lists nested this deep cannot even be written by `json.dumps`: a marker stands in, and `encode`
# writes the brackets into the text.
_DEEP = re.compile(r'"@@deep:(\d+)@@"')


def _deep(depth: int) -> str:
    return f"@@deep:{depth}@@"


scalars = st.one_of(
    st.none(), st.booleans(), st.sampled_from(NASTY_NUMBERS), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(NASTY_TEXT),
    st.text(st.characters(exclude_categories=()), max_size=8),  # surrogates and controls included
)
_shallow = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(NASTY_TEXT) | st.text(max_size=4),
                                                                inner, max_size=3),
    max_leaves=6,
)
# One value in eight is nested deep: often enough to find what recursion is left, rarely enough that
# most cases get past the reader to the checks behind it.
values = st.one_of(*[_shallow] * 7, st.builds(_deep, st.sampled_from([10, 63, 64, 65, 200, 990, 5000])))
ids = st.sampled_from(NASTY_TEXT) | st.text(max_size=6)


@st.composite
def generated_projects(draw: st.DrawFn) -> dict[str, Any]:
    """A small project that is valid as drawn: Inputs, a chain with merges, maybe a sub-model it calls."""
    width = draw(st.integers(1, 6))
    nodes: list[dict[str, Any]] = [{"id": "in", "layer": "Input", "config": {"shape": [width]}}]
    edges: list[dict[str, Any]] = []
    last = "in"
    submodels: dict[str, Any] = {}
    for i in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["Dense", "Dropout", "Add", "Concatenate", "Submodel"]))
        node_id = f"n{i}"
        if kind == "Dense":
            nodes.append({"id": node_id, "layer": "Dense", "config": {"units": width}})
        elif kind == "Dropout":
            nodes.append({"id": node_id, "layer": "Dropout", "config": {"rate": 0.5}})
        elif kind == "Submodel":
            name = f"sub{i}"
            submodels[name] = {
                "nodes": [{"id": "i", "layer": "Input", "config": {"shape": [width]}},
                          {"id": "d", "layer": "Dense", "config": {"units": width}}],
                "edges": [{"source": "i", "target": "d"}],
            }
            nodes.append({"id": node_id, "layer": "Submodel", "config": {"submodel": name}})
        else:
            nodes.append({"id": node_id, "layer": kind, "config": {}})
            edges.append({"source": "in", "target": node_id, "target_port": 1})
        edges.append({"source": last, "target": node_id})
        last = node_id
    doc: dict[str, Any] = {"format": "netbuilder", "version": 1, "name": "generated",
                           "graph": {"nodes": nodes, "edges": edges}}
    if submodels:
        doc["submodels"] = submodels
    return doc


base_documents = st.sampled_from(EXAMPLE_DOCS) | generated_projects()


def _places(doc: Any) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) in `doc`, in document order, found without recursion."""
    found: list[tuple[Any, Any]] = []
    todo = [doc]
    while todo:
        item = todo.pop()
        keys = list(item) if isinstance(item, dict) else range(len(item)) if isinstance(item, list) else []
        for key in keys:
            found.append((item, key))
            todo.append(item[key])
    return found


def _graphs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    graphs = [doc.get("graph")]
    subs = doc.get("submodels")
    if isinstance(subs, dict):
        graphs.extend(subs.values())
    return [g for g in graphs if isinstance(g, dict)]


def _lists(graph: dict[str, Any], key: str) -> list[Any]:
    items = graph.get(key)
    return items if isinstance(items, list) else []


def _node_ids(doc: dict[str, Any]) -> list[Any]:
    return [n.get("id") for g in _graphs(doc) for n in _lists(g, "nodes") if isinstance(n, dict)] or ["x"]


# Each mutation is (kind, where, what): `where` picks a place by index modulo how many there are,
# so any number applies to any document and shrinking moves it toward the first place.
# Plausible ones keep the file's shape (the reader takes it) and attack what lies behind the reader.
anywhere = st.integers(0, 10**4)
plausible_mutations = st.one_of(
    st.tuples(st.just("duplicate"), anywhere, st.none()),
    st.tuples(st.just("wire"), anywhere,
              st.tuples(st.integers(0, 100), st.integers(0, 100), st.none() | ids, st.sampled_from([0, 1, 2, 5, 9999]))),
    st.tuples(st.just("rename"), anywhere, st.sampled_from(NASTY_TEXT)),  # its wires follow it
    st.tuples(st.just("shares"), anywhere, st.tuples(st.just("id"), st.integers(0, 20)) | st.sampled_from(NASTY_TEXT)),
    st.tuples(st.just("setting"), anywhere,
              st.tuples(st.sampled_from(SETTING_KEYS), st.sampled_from(NASTY_NUMBERS[:12] + NASTY_TEXT) | _shallow)),
    st.tuples(st.just("recurse"), anywhere, st.integers(1, 40)),
    st.tuples(st.just("operation"), anywhere,
              st.tuples(st.sampled_from(OPERATIONS), st.none() | st.lists(st.just({"port": 0}) | _shallow, max_size=3))),
    st.tuples(st.just("call"), anywhere,
              st.tuples(st.sampled_from(["call_kwargs", "call_args"]),
                        st.dictionaries(st.sampled_from(["training", "mask", "initial_state"]),
                                        st.builds(lambda n: {"port": n}, st.sampled_from([0, 1, 5, 9999])) | _shallow,
                                        max_size=2) | _shallow)),
    st.tuples(st.just("io"), anywhere, st.tuples(st.integers(0, 20), st.sampled_from([0, 1, 7, 10**9]))),
)
mutations = st.one_of(
    plausible_mutations,
    st.tuples(st.just("replace"), anywhere, values),
    st.tuples(st.just("delete"), anywhere, st.none()),
    st.tuples(st.just("orphan"), anywhere, ids),  # renamed, its wires left pointing at the old id
    st.tuples(st.just("wire"), anywhere,
              st.tuples(st.integers(0, 100), st.integers(0, 100), st.none() | ids,
                        st.sampled_from([10000, 1000000000, -1, 2**64]))),
    st.tuples(st.just("shares"), anywhere, values),
    st.tuples(st.just("setting"), anywhere, st.tuples(st.sampled_from(SETTING_KEYS), values)),
    st.tuples(st.just("position"), anywhere, st.lists(st.sampled_from(NASTY_NUMBERS), max_size=3)),
    st.tuples(st.just("io"), anywhere, values),
)


def mutate(doc: dict[str, Any], steps: list[tuple[str, int, Any]]) -> dict[str, Any]:
    """A deep copy of `doc` with `steps` applied in order; steps that find nothing to act on do nothing."""
    doc = copy.deepcopy(doc)
    for kind, where, what in steps:
        if not isinstance(doc, dict):
            break
        spots = _places(doc)
        container, key = spots[where % len(spots)] if spots else (None, None)
        if kind == "replace" and container is not None:
            container[key] = copy.deepcopy(what)
        elif kind == "delete" and container is not None:
            del container[key]
        elif kind == "duplicate" and isinstance(container, list):
            container.insert(key, copy.deepcopy(container[key]))
        elif kind == "io":
            _io(doc, what)
        elif kind in ("wire", "rename", "orphan", "shares", "setting", "position", "operation", "call"):
            _mutate_graph(doc, kind, where, what)
        elif kind == "recurse":
            _recurse(doc, where, what)
    return doc


def _mutate_graph(doc: dict[str, Any], kind: str, where: int, what: Any) -> None:
    graphs = _graphs(doc)
    if not graphs:
        return
    graph = graphs[where % len(graphs)]
    nodes = [n for n in _lists(graph, "nodes") if isinstance(n, dict)]
    if kind == "wire":
        src, dst, ghost, port = what
        ids_here = [n.get("id") for n in nodes] or ["x"]
        target = ghost if ghost is not None else ids_here[dst % len(ids_here)]
        edge = {"source": ids_here[src % len(ids_here)], "target": target, "target_port": port}
        graph.setdefault("edges", [])
        if isinstance(graph["edges"], list):
            graph["edges"].append(edge)
    elif not nodes:
        return
    elif kind in ("rename", "orphan"):
        node = nodes[where % len(nodes)]
        old, node["id"] = node.get("id"), what
        for edge in _lists(graph, "edges") if kind == "rename" else []:
            for end in ("source", "target"):
                if isinstance(edge, dict) and edge.get(end) == old:
                    edge[end] = what
    elif kind == "shares":
        existing = isinstance(what, tuple)
        nodes[where % len(nodes)]["shares"] = _node_ids(doc)[what[1] % len(_node_ids(doc))] if existing else what
    elif kind == "setting":
        node = nodes[where % len(nodes)]
        if not isinstance(node.get("config"), dict):
            node["config"] = {}
        node["config"][what[0]] = copy.deepcopy(what[1])
    elif kind == "position":
        nodes[where % len(nodes)]["position"] = what
    elif kind == "operation":
        node = nodes[where % len(nodes)]
        node.update({"layer": "Operation", "config": {"operation": what[0]}})
        if what[1] is not None:
            node["call_args"] = copy.deepcopy(what[1])
    elif kind == "call":
        nodes[where % len(nodes)][what[0]] = copy.deepcopy(what[1])


def _io(doc: dict[str, Any], what: Any) -> None:
    """An `io` section: plausible (`(node index, port)`: that node's output as the model's) or any value."""
    if isinstance(what, tuple):
        ids_ = _node_ids(doc)
        doc["io"] = {"outputs": [[ids_[what[0] % len(ids_)], what[1]]]}
    else:
        doc["io"] = copy.deepcopy(what)


def _recurse(doc: dict[str, Any], where: int, length: int) -> None:
    """Make sub-models call each other in a ring of `length % 3 + 1` (itself, a pair, three), or nest `length` deep."""
    shape = [{"id": "i", "layer": "Input", "config": {"shape": [4]}}]
    subs = doc.setdefault("submodels", {}) if isinstance(doc.get("submodels", {}), dict) else {}
    ring = where % 2 == 0
    count = length % 3 + 1 if ring else length
    for k in range(count):
        callee = f"r{(k + 1) % count}" if ring else (f"r{k + 1}" if k + 1 < count else None)
        inner = ({"id": "s", "layer": "Submodel", "config": {"submodel": callee}} if callee
                 else {"id": "s", "layer": "Dense", "config": {"units": 2}})
        subs[f"r{k}"] = {"nodes": [*shape, inner], "edges": [{"source": "i", "target": "s"}]}
    graph = doc.get("graph")
    if isinstance(graph, dict) and isinstance(graph.get("nodes"), list):
        graph["nodes"].append({"id": "calls_r0", "layer": "Submodel", "config": {"submodel": "r0"}})


# How the document becomes bytes: plain JSON (lone surrogates as \ud800 escapes), raw UTF-8 with
# surrogates passed through (not UTF-8 at all), or JSON cut short / spliced with stray bytes.
encodings = st.one_of(
    st.just(("ascii", 0, b"")),
    st.just(("raw", 0, b"")),
    st.tuples(st.just("cut"), st.integers(0, 10**6), st.just(b"")),
    st.tuples(st.just("splice"), st.integers(0, 10**6), st.binary(min_size=1, max_size=4)),
)


def encode(doc: Any, how: tuple[str, int, bytes]) -> bytes:
    """The file's bytes for `doc`, written as `how` says (see `encodings`)."""
    kind, at, extra = how
    text = _DEEP.sub(lambda m: "[" * int(m.group(1)) + "]" * int(m.group(1)), json.dumps(doc, ensure_ascii=kind != "raw"))
    if kind == "raw":
        return text.encode("utf-8", "surrogatepass")
    data = text.encode("ascii")
    if kind == "cut":
        return data[: at % (len(data) + 1)]
    if kind == "splice":
        at %= len(data) + 1
        return data[:at] + extra + data[at:]
    return data


# Mostly plain JSON, so that most cases reach the checks behind the reader.
hostile_files = st.builds(lambda doc, steps, how: encode(mutate(doc, steps), how),
                          base_documents, st.lists(mutations, min_size=1, max_size=4),
                          st.one_of(*[st.just(("ascii", 0, b""))] * 8, encodings))
# Files the reader takes, mostly: what reaches Keras (built layers, names, sizes, sub-models).
plausible_files = st.builds(lambda doc, steps, how: encode(mutate(doc, steps), how),
                            base_documents, st.lists(plausible_mutations, min_size=1, max_size=3),
                            st.sampled_from([("ascii", 0, b""), ("raw", 0, b"")]))
