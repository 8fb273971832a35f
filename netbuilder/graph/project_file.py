"""Reading and writing `.nbproj` project files: versions, migrations, atomic saves.

Reading goes in three steps, as a careful file reader should: check the format
and version (migrating older versions forward), check the shape of every
field and collect *all* problems with their location, and only then build live
`Graph` objects. Writing is atomic: a temporary file in the same folder is
flushed to disk and renamed over the old one, so an interrupted save never
damages the previous file.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from netbuilder.graph import json_limits
from netbuilder.graph.atomic_file import atomic_write_text
from netbuilder.graph.model import Edge, Graph, Node
from netbuilder.graph.validation import submodel_problems

FORMAT = "netbuilder"
VERSION = 1
EXTENSION = ".nbproj"

# MIGRATIONS[v] turns a version-v document into a version v+1 one. Version 1
# is the first published format, so the table starts empty; the reader walks
# it for any older version so a future format bump only adds an entry here.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

_KNOWN_NODE_KEYS = {"id", "layer", "config", "position", "shares"}

# Bounds that no real project comes near and that keep hostile values from costing
# memory or time: a port is an index into a layer's inputs or outputs (the editor
# draws one handle per port up to the highest used), a position a canvas coordinate.
MAX_PORT = 9999
MAX_COORDINATE = 10_000_000
_MAX_WHOLE_NUMBER = 2**64  # beyond any seed or size; Python's parser would take thousands of digits


class ProjectFileError(ValueError):
    """A project file that cannot be read; the message names the file and the culprit."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


@dataclass
class Project:
    """A whole project: the main graph, named sub-models and other sections.

    `sections` keeps every other top-level key (training settings, dataset,
    UI state, …) untouched, so a file written by a newer build of the same
    version round-trips without losing anything.
    """

    name: str
    graph: Graph = field(default_factory=Graph)
    submodels: dict[str, Graph] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": self.name}
        doc["graph"] = self.graph.to_dict()
        if self.submodels:
            doc["submodels"] = {k: g.to_dict() for k, g in self.submodels.items()}
        doc.update(self.sections)
        return doc

    @property
    def weights_path(self) -> Path | None:
        """Where trained or imported weights live: beside the project file."""
        return None if self.path is None else weights_beside(self.path)


def weights_beside(path: Path) -> Path:
    """The weights file that belongs to the project file `path` (`P.nbproj` → `P.weights.h5`)."""
    return path.with_name(path.name.removesuffix(EXTENSION) + ".weights.h5")


def dumps(project: Project) -> str:
    """The file text; ValueError if a value cannot be stored (NaN, infinity, broken text)."""
    text = json.dumps(project.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    text.encode("utf-8")  # a lone surrogate would otherwise fail half-way through the write
    return text


def save(project: Project, path: str | os.PathLike[str]) -> Path:
    """Write atomically to `path`; sets `project.path`."""
    path = Path(path)
    try:
        text = dumps(project)
    except ValueError as exc:
        raise ProjectFileError(str(path), [f"cannot be saved: {exc}"]) from None
    atomic_write_text(path, text)
    project.path = path
    return path


def load(path: str | os.PathLike[str]) -> Project:
    """Read a project file; ProjectFileError says what is wrong and where."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            text = json_limits.read_capped(file).decode("utf-8-sig")  # tolerate a byte-order mark
    except json_limits.JsonLimitError as exc:
        raise ProjectFileError(str(path), [str(exc)]) from None
    except FileNotFoundError:
        raise ProjectFileError(str(path), ["no such file"]) from None
    except IsADirectoryError:
        raise ProjectFileError(str(path), ["is a folder, not a project file"]) from None
    except UnicodeDecodeError:
        raise ProjectFileError(str(path), ["is not a text file (not UTF-8)"]) from None
    except OSError as exc:
        raise ProjectFileError(str(path), [f"cannot be read: {exc.strerror}"]) from None
    project = loads(text, source=str(path))
    project.path = path
    return project


def loads(text: str, source: str = "<project>") -> Project:
    """Parse project text within `json_limits` (nesting, lone surrogates) and read it as `from_dict` does."""
    try:
        doc = json_limits.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                                parse_int=_whole_number)
    except json.JSONDecodeError as exc:
        raise ProjectFileError(source, [f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]) from None
    except _RefusedNumber as exc:
        raise ProjectFileError(source, [f"not valid JSON: {exc}{_where(text, exc.token)}"]) from None
    except json_limits.JsonLimitError as exc:
        raise ProjectFileError(source, [str(exc)]) from None
    except ValueError as exc:
        raise ProjectFileError(source, [f"not valid JSON: {exc}"]) from None
    return from_dict(doc, source)


class _RefusedNumber(ValueError):
    """A number the reader will not take; `token` is its text, to find it in the file."""

    def __init__(self, token: str, message: str) -> None:
        self.token = token
        super().__init__(message)


def _refuse_constant(name: str) -> float:
    raise _RefusedNumber(name, f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    # 1e400 would read as inf and then be saved as Infinity, which this reader refuses.
    value = float(text)
    if not math.isfinite(value):
        raise _RefusedNumber(text, f"{_abridged(text)} is too large a number")
    return value


def _whole_number(text: str) -> int:
    # Python would read 4,000 digits, and every later use (a size, a float, a message) would pay for them.
    if len(text) > 21 or abs(value := int(text)) > _MAX_WHOLE_NUMBER:
        raise _RefusedNumber(text, f"{_abridged(text)} is too large a number")
    return value


def _abridged(token: str) -> str:
    return token if len(token) <= 24 else f"{token[:20]}… ({len(token)} characters)"


def _where(text: str, token: str) -> str:
    """` at line L column C` of the first `token` in `text` that stands as a number of its own ("" if none)."""
    at = re.search(rf"(?<![\w.+-]){re.escape(token)}(?![\w.])", text)
    if at is None:
        return ""
    line = text.count("\n", 0, at.start()) + 1
    column = at.start() - text.rfind("\n", 0, at.start())
    return f" at line {line} column {column}"


def from_dict(doc: Any, source: str = "<project>") -> Project:
    if not isinstance(doc, dict):
        raise ProjectFileError(source, ["the file must hold a JSON object"])
    if doc.get("format") != FORMAT:
        raise ProjectFileError(source, [f'not a netbuilder project ("format" must be "{FORMAT}")'])
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ProjectFileError(source, ['"version" must be a whole number'])
    if version > VERSION:
        raise ProjectFileError(
            source,
            [f"format version {version} was written by a newer netbuilder; this one reads versions up to {VERSION}"],
        )
    while version < VERSION:
        migrate = MIGRATIONS.get(version)
        if migrate is None:
            raise ProjectFileError(source, [f"format version {version} is not a version netbuilder ever wrote"])
        doc = migrate(dict(doc))
        version += 1
        doc["version"] = version

    problems: list[str] = []
    name = doc.get("name", "untitled")
    if not isinstance(name, str) or not name.strip():
        problems.append('"name" must be a non-empty string')
        name = "untitled"
    if "graph" not in doc:
        problems.append('"graph" is missing')
    graph = _read_graph(doc.get("graph", {}), "graph", problems)
    submodels: dict[str, Graph] = {}
    raw_subs = doc.get("submodels", {})
    if not isinstance(raw_subs, dict):
        problems.append('"submodels" must be an object mapping names to graphs')
    else:
        for sub_name, sub in raw_subs.items():
            submodels[sub_name] = _read_graph(sub, f"submodels.{sub_name}", problems)
    if not problems:  # on graphs read whole: a sub-model that contains itself is built by nothing
        problems.extend(submodel_problems(submodels))
    if problems:
        raise ProjectFileError(source, problems)
    sections = {k: v for k, v in doc.items() if k not in {"format", "version", "name", "graph", "submodels"}}
    return Project(name=name, graph=graph, submodels=submodels, sections=sections)


def _read_graph(raw: Any, where: str, problems: list[str]) -> Graph:
    graph = Graph()
    if not isinstance(raw, dict):
        problems.append(f"{where} must be an object with \"nodes\" and \"edges\"")
        return graph
    raw_nodes = raw.get("nodes", [])
    raw_edges = raw.get("edges", [])
    if not isinstance(raw_nodes, list):
        problems.append(f"{where}.nodes must be a list")
        raw_nodes = []
    if not isinstance(raw_edges, list):
        problems.append(f"{where}.edges must be a list")
        raw_edges = []
    for i, item in enumerate(raw_nodes):
        node = _read_node(item, f"{where}.nodes[{i}]", problems)
        if node is None:
            continue
        if node.id in graph:
            problems.append(f"{where}.nodes[{i}]: node id '{node.id}' is used twice")
            continue
        graph.add_node(node)
    for i, item in enumerate(raw_edges):
        edge = _read_edge(item, f"{where}.edges[{i}]", problems)
        if edge is None:
            continue
        if graph.has_edge(edge):
            problems.append(f"{where}.edges[{i}]: the same connection '{edge.source}' → '{edge.target}' appears twice")
            continue
        graph.add_edge(edge)
    outputs = raw.get("outputs")
    if outputs is not None:
        if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
            problems.append(f"{where}.outputs must be a list of node ids")
        else:
            graph.outputs = list(outputs)
    return graph


def _read_node(item: Any, where: str, problems: list[str]) -> Node | None:
    if not isinstance(item, dict):
        problems.append(f"{where} must be an object")
        return None
    node_id, layer = item.get("id"), item.get("layer")
    label = f"{where} ('{node_id}')" if isinstance(node_id, str) else where
    ok = True
    if not isinstance(node_id, str) or not node_id:
        problems.append(f'{where}: "id" must be a non-empty string')
        ok = False
    if not isinstance(layer, str) or not layer:
        problems.append(f'{label}: "layer" must be a layer name such as "Dense"')
        ok = False
    config = item.get("config", {})
    if not isinstance(config, dict):
        problems.append(f'{label}: "config" must be an object')
        ok = False
    position = item.get("position")
    if position is not None:
        if (
            not isinstance(position, list)
            or len(position) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in position)
        ):
            problems.append(f'{label}: "position" must be [x, y] numbers')
            ok = False
        elif not all(-MAX_COORDINATE <= v <= MAX_COORDINATE for v in position):
            problems.append(f'{label}: "position" must be [x, y] numbers from -{MAX_COORDINATE:,} to '
                            f'{MAX_COORDINATE:,}, got {json.dumps(position)}')
            ok = False
    shares = item.get("shares")  # null, as absent: a layer of its own
    if shares is not None and (not isinstance(shares, str) or not shares):
        problems.append(f'{label}: "shares" must be the id of the node whose layer it calls again, '
                        f'got {_shown(shares)}')
        ok = False
    if not ok:
        return None
    extra = {k: v for k, v in item.items() if k not in _KNOWN_NODE_KEYS}
    pos = (float(position[0]), float(position[1])) if position is not None else None
    return Node(id=node_id, layer=layer, config=dict(config), position=pos, extra=extra, shares=shares)


def _shown(value: Any) -> str:
    """A value as JSON, cut short: a message names the culprit, it need not repeat all of it."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _read_edge(item: Any, where: str, problems: list[str]) -> Edge | None:
    if not isinstance(item, dict):
        problems.append(f"{where} must be an object")
        return None
    ok = True
    for key in ("source", "target"):
        if not isinstance(item.get(key), str) or not item.get(key):
            problems.append(f'{where}: "{key}" must be a node id')
            ok = False
    if ok:
        where = f"{where} ('{item['source']}' → '{item['target']}')"
    ports = {}
    for key in ("source_port", "target_port"):
        value = item.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f'{where}: "{key}" must be a whole number ≥ 0, got {_shown(value)}')
            ok = False
        elif value > MAX_PORT:  # refused here, so nothing later counts ports up to it
            problems.append(f'{where}: "{key}" must be at most {MAX_PORT} (no layer has that many ports), got {value}')
            ok = False
        ports[key] = value
    if not ok:
        return None
    return Edge(item["source"], item["target"], ports["source_port"], ports["target_port"])
