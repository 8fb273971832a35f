"""`.nbproj` files: the DESIGN.md contract, clear messages for bad files, migrations, atomic saves."""

import copy
import json
import os
from pathlib import Path

import pytest

from netbuilder.graph import Edge, Graph, Node, Project, ProjectFileError, project_file, validate

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "resources" / "examples").glob("*.nbproj"))

DESIGN_EXAMPLE = {
    "format": "netbuilder",
    "version": 1,
    "name": "wide_and_deep",
    "graph": {
        "nodes": [
            {"id": "wide", "layer": "Input", "config": {"shape": [10], "name": "wide"}, "position": [0, 0]},
            {"id": "deep", "layer": "Input", "config": {"shape": [8]}},
            {"id": "h1", "layer": "Dense", "config": {"units": 32, "activation": "relu"}},
            {"id": "cat", "layer": "Concatenate", "config": {}},
            {"id": "out", "layer": "Dense", "config": {"units": 1}},
        ],
        "edges": [
            {"source": "deep", "target": "h1"},
            {"source": "wide", "target": "cat", "target_port": 0},
            {"source": "h1", "target": "cat", "target_port": 1},
            {"source": "cat", "target": "out"},
        ],
    },
}


def doc_with(**graph_parts):
    """A minimal valid document whose graph parts are replaced by `graph_parts`."""
    graph = {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [2]}},
                       {"id": "h", "layer": "Dense", "config": {"units": 1}}],
             "edges": [{"source": "x", "target": "h"}]}
    graph.update(graph_parts)
    return {"format": "netbuilder", "version": 1, "name": "p", "graph": graph}


def problems_of(path):
    with pytest.raises(ProjectFileError) as info:
        project_file.load(path)
    return str(info.value).splitlines()


# -- the DESIGN.md example and the bundled examples ----------------------------------
def test_design_example_loads_as_described(write_project):
    project = project_file.load(write_project(DESIGN_EXAMPLE))
    graph = project.graph
    assert project.name == "wide_and_deep"
    assert [n.id for n in graph.nodes] == ["wide", "deep", "h1", "cat", "out"]
    assert graph.input_ids() == ["wide", "deep"] and graph.output_ids() == ["out"]
    assert graph.incoming("cat") == [Edge("wide", "cat", 0, 0), Edge("h1", "cat", 0, 1)]
    assert graph.node("wide").position == (0.0, 0.0) and graph.node("deep").position is None
    assert graph.node("h1").config == {"units": 32, "activation": "relu"}
    assert validate(graph) == []


def test_round_trip_keeps_everything(write_project):
    doc = copy.deepcopy(DESIGN_EXAMPLE)
    doc["training"] = {"epochs": 5, "optimizer": {"name": "adam", "learning_rate": 0.001}}
    doc["ui"] = {"zoom": 1.5, "selected": ["h1"]}
    doc["graph"]["nodes"][2]["shares"] = "other"
    doc["graph"]["nodes"][2]["call_kwargs"] = {"training": False}
    doc["graph"]["outputs"] = ["out", "h1"]
    first = project_file.load(write_project(doc))
    text = project_file.dumps(first)
    second = project_file.loads(text)
    assert second.to_dict() == first.to_dict()
    saved = json.loads(text)
    assert saved["training"] == doc["training"] and saved["ui"] == doc["ui"]
    assert saved["graph"]["nodes"][2] == {"id": "h1", "layer": "Dense", "config": {"units": 32, "activation": "relu"},
                                          "shares": "other", "call_kwargs": {"training": False}}
    assert saved["graph"]["outputs"] == ["out", "h1"]
    assert list(saved)[:3] == ["format", "version", "name"] and saved["version"] == 1
    assert saved["graph"]["edges"][1] == {"source": "wide", "target": "cat"}  # port 0 is the default


def test_shares_reads_into_the_node_field_and_null_means_a_layer_of_its_own(write_project):
    doc = copy.deepcopy(DESIGN_EXAMPLE)
    doc["graph"]["nodes"][2]["shares"] = "out"
    doc["graph"]["nodes"][4]["shares"] = None
    graph = project_file.load(write_project(doc)).graph
    assert graph.node("h1").shares == "out" and graph.node("h1").extra == {}
    assert graph.node("out").shares is None and "shares" not in graph.to_dict()["nodes"][4]


def test_non_ascii_text_survives_a_save(tmp_path):
    project = Project(name="réseau → 2", sections={"notes": "Größe ✓"})
    path = project_file.save(project, tmp_path / "p.nbproj")
    again = project_file.load(path)
    assert (again.name, again.sections) == ("réseau → 2", {"notes": "Größe ✓"})


def test_submodels_round_trip(write_project):
    doc = copy.deepcopy(DESIGN_EXAMPLE)
    doc["submodels"] = {"enc": {"nodes": [{"id": "i", "layer": "Input", "config": {"shape": [3]}}], "edges": []}}
    project = project_file.load(write_project(doc))
    assert list(project.submodels) == ["enc"] and project.submodels["enc"].input_ids() == ["i"]
    assert project_file.loads(project_file.dumps(project)).to_dict() == project.to_dict()


def test_name_defaults_to_untitled(write_project):
    doc = copy.deepcopy(DESIGN_EXAMPLE)
    del doc["name"]
    assert project_file.load(write_project(doc)).name == "untitled"


def test_there_are_bundled_examples():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_bundled_example_loads_validates_and_round_trips(path):
    project = project_file.load(path)
    assert project.path == path and len(project.graph) > 0
    for graph in [project.graph, *project.submodels.values()]:
        assert validate(graph) == []
    assert project_file.loads(project_file.dumps(project)).to_dict() == project.to_dict()


def test_weights_live_beside_the_project(tmp_path):
    project = Project(name="p")
    assert project.weights_path is None
    project_file.save(project, tmp_path / "model.nbproj")
    assert project.weights_path == tmp_path / "model.weights.h5"


# -- files that are not projects at all ------------------------------------------------
def test_malformed_json_gives_line_and_column(write_project):
    path = write_project('{\n  "format": "netbuilder",\n  "version": 1\n  "graph": {}\n}')
    assert problems_of(path) == [f"{path}: not valid JSON: Expecting ',' delimiter at line 4 column 3"]


def test_empty_file(write_project):
    path = write_project("")
    assert problems_of(path) == [f"{path}: not valid JSON: Expecting value at line 1 column 1"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_numbers_are_refused(write_project, literal):
    text = json.dumps(doc_with()).replace('"units": 1', f'"units": {literal}')
    path = write_project(text)
    column = text.index(literal) + 1
    assert problems_of(path) == [f"{path}: not valid JSON: {literal} is not a number JSON allows at line 1 column {column}"]


def test_a_number_too_large_for_a_float_is_refused(write_project):
    # It would read as inf and then be saved as Infinity, which could never be opened again.
    path = write_project(json.dumps(doc_with(), indent=1).replace('"units": 1', '"units": 1e400'))
    assert problems_of(path) == [f"{path}: not valid JSON: 1e400 is too large a number at line 20 column 15"]


@pytest.mark.parametrize("depth", [65, 900, 100_000])
def test_absurdly_deep_nesting_is_refused_not_crashed(write_project, depth):
    # 65 parses, 100,000 does not: either way no later recursive walk ever meets it.
    path = write_project("[" * depth + "]" * depth)
    assert problems_of(path) == [f"{path}: lists and objects nest more than 64 levels deep"]


@pytest.mark.parametrize("text", ["[1, 2]", '"netbuilder"', "3", "null"])
def test_not_an_object(write_project, text):
    path = write_project(text)
    assert problems_of(path) == [f"{path}: the file must hold a JSON object"]


@pytest.mark.parametrize("fmt", [None, "netbuilder2", 1])
def test_wrong_format(write_project, fmt):
    doc = doc_with()
    if fmt is None:
        del doc["format"]
    else:
        doc["format"] = fmt
    path = write_project(doc)
    assert problems_of(path) == [f'{path}: not a netbuilder project ("format" must be "netbuilder")']


def test_newer_version_is_refused(write_project):
    path = write_project({**doc_with(), "version": 2})
    assert problems_of(path) == [
        f"{path}: format version 2 was written by a newer netbuilder; this one reads versions up to 1"
    ]


@pytest.mark.parametrize("version", ["1", 1.0, True, None, [1]])
def test_version_must_be_a_whole_number(write_project, version):
    doc = doc_with()
    if version is None:
        del doc["version"]
    else:
        doc["version"] = version
    path = write_project(doc)
    assert problems_of(path) == [f'{path}: "version" must be a whole number']


@pytest.mark.parametrize("version", [0, -1])
def test_version_never_written_is_refused(write_project, version):
    path = write_project({**doc_with(), "version": version})
    assert problems_of(path) == [f"{path}: format version {version} is not a version netbuilder ever wrote"]


def test_missing_file(tmp_path):
    path = tmp_path / "nope.nbproj"
    assert problems_of(path) == [f"{path}: no such file"]


def test_a_folder(tmp_path):
    path = tmp_path / "folder.nbproj"
    path.mkdir()
    assert problems_of(path) == [f"{path}: is a folder, not a project file"]


def test_non_utf8_bytes(tmp_path):
    path = tmp_path / "latin1.nbproj"
    path.write_bytes(json.dumps(doc_with()).replace('"p"', '"caf\\u00e9"').encode().replace(b"\\u00e9", b"\xe9"))
    assert problems_of(path) == [f"{path}: is not a text file (not UTF-8)"]


def test_unreadable_file(write_project, monkeypatch):
    path = write_project(doc_with())

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    assert problems_of(path) == [f"{path}: cannot be read: Permission denied"]


def test_loads_names_its_source():
    with pytest.raises(ProjectFileError) as info:
        project_file.loads("[]")
    assert str(info.value) == "<project>: the file must hold a JSON object"
    with pytest.raises(ProjectFileError) as info:
        project_file.loads("[]", source="clipboard")
    assert (info.value.source, info.value.problems) == ("clipboard", ["the file must hold a JSON object"])
    assert isinstance(info.value, ValueError)


# -- projects with bad fields: exact messages -------------------------------------------
X_NODE = {"id": "x", "layer": "Input", "config": {"shape": [2]}}


@pytest.mark.parametrize("change, message", [
    ({"nodes": [X_NODE, {"id": "h1", "config": {}}]},
     """graph.nodes[1] ('h1'): "layer" must be a layer name such as "Dense\""""),
    ({"nodes": [X_NODE, {"id": "h1", "layer": ""}]},
     """graph.nodes[1] ('h1'): "layer" must be a layer name such as "Dense\""""),
    ({"nodes": [{"layer": "Input"}]}, 'graph.nodes[0]: "id" must be a non-empty string'),
    ({"nodes": [{"id": 7, "layer": "Input"}]}, 'graph.nodes[0]: "id" must be a non-empty string'),
    ({"nodes": [{**X_NODE, "config": [1]}]}, """graph.nodes[0] ('x'): "config" must be an object"""),
    ({"nodes": [{**X_NODE, "config": None}]}, """graph.nodes[0] ('x'): "config" must be an object"""),
    ({"nodes": [{**X_NODE, "position": [1]}]}, """graph.nodes[0] ('x'): "position" must be [x, y] numbers"""),
    ({"nodes": [{**X_NODE, "position": [1, "2"]}]}, """graph.nodes[0] ('x'): "position" must be [x, y] numbers"""),
    ({"nodes": [{**X_NODE, "position": [True, 0]}]}, """graph.nodes[0] ('x'): "position" must be [x, y] numbers"""),
    ({"nodes": [{**X_NODE, "position": {"x": 1, "y": 2}}]},
     """graph.nodes[0] ('x'): "position" must be [x, y] numbers"""),
    ({"nodes": [{**X_NODE, "position": [1, 2, 3]}]}, """graph.nodes[0] ('x'): "position" must be [x, y] numbers"""),
    ({"nodes": [X_NODE, {"id": "x", "layer": "Dense"}]}, "graph.nodes[1]: node id 'x' is used twice"),
    ({"nodes": [X_NODE, "h"]}, "graph.nodes[1] must be an object"),
    ({"nodes": {"x": X_NODE}}, "graph.nodes must be a list"),
    ({"edges": {"source": "x"}}, "graph.edges must be a list"),
    ({"edges": [{"source": "x", "target": "h"}, {"source": "x", "target": "h", "target_port": 0}]},
     "graph.edges[1]: the same connection 'x' → 'h' appears twice"),
    ({"edges": [["x", "h"]]}, "graph.edges[0] must be an object"),
    ({"edges": [{"source": "x"}]}, 'graph.edges[0]: "target" must be a node id'),
    ({"edges": [{"source": "", "target": 3}]},
     ['graph.edges[0]: "source" must be a node id', 'graph.edges[0]: "target" must be a node id']),
    ({"edges": [{"source": "x", "target": "h", "target_port": -1}]},
     'graph.edges[0] (\'x\' → \'h\'): "target_port" must be a whole number ≥ 0, got -1'),
    ({"edges": [{"source": "x", "target": "h", "source_port": 1.5}]},
     'graph.edges[0] (\'x\' → \'h\'): "source_port" must be a whole number ≥ 0, got 1.5'),
    ({"edges": [{"source": "x", "target": "h", "target_port": True}]},
     'graph.edges[0] (\'x\' → \'h\'): "target_port" must be a whole number ≥ 0, got true'),
    ({"edges": [{"source": "x", "target": "h", "target_port": "1"}]},
     'graph.edges[0] (\'x\' → \'h\'): "target_port" must be a whole number ≥ 0, got "1"'),
    ({"edges": [{"source": "x", "target": "h", "target_port": None}]},
     'graph.edges[0] (\'x\' → \'h\'): "target_port" must be a whole number ≥ 0, got null'),
    *[({"nodes": [X_NODE, {"id": "h1", "layer": "Dense", "shares": bad}]},
       f"""graph.nodes[1] ('h1'): "shares" must be the id of the node whose layer it calls again, got {text}""")
      for bad, text in [(["x"], '["x"]'), ({"id": "x"}, '{"id": "x"}'), (3, "3"), (True, "true"), ("", '""')]],
    ({"outputs": "h"}, "graph.outputs must be a list of node ids"),
    ({"outputs": ["h", 1]}, "graph.outputs must be a list of node ids"),
])
def test_bad_graph_fields(write_project, change, message):
    path = write_project(doc_with(**change))
    expected = [message] if isinstance(message, str) else message
    assert problems_of(path) == [f"{path}: {m}" for m in expected]


@pytest.mark.parametrize("change, message", [
    ({"graph": []}, 'graph must be an object with "nodes" and "edges"'),
    ({"graph": None}, 'graph must be an object with "nodes" and "edges"'),
    ({"submodels": ["enc"]}, '"submodels" must be an object mapping names to graphs'),
    ({"submodels": {"enc": None}}, 'submodels.enc must be an object with "nodes" and "edges"'),
    ({"submodels": {"enc": {"nodes": [{"id": "i"}]}}},
     """submodels.enc.nodes[0] ('i'): "layer" must be a layer name such as "Dense\""""),
    ({"name": ""}, '"name" must be a non-empty string'),
    ({"name": 5}, '"name" must be a non-empty string'),
])
def test_bad_top_level_fields(write_project, change, message):
    path = write_project({**doc_with(), **change})
    assert problems_of(path) == [f"{path}: {message}"]


def test_missing_graph(write_project):
    doc = doc_with()
    del doc["graph"]
    path = write_project(doc)
    assert problems_of(path) == [f'{path}: "graph" is missing']


def test_all_problems_of_a_file_are_reported_at_once(write_project):
    doc = doc_with(
        nodes=[X_NODE, {"id": "h", "layer": "Dense", "config": "units=1"}, {"id": "x", "layer": "Dense"}],
        edges=[{"source": "x", "target": "h", "target_port": -2}],
    )
    path = write_project(doc)
    with pytest.raises(ProjectFileError) as info:
        project_file.load(path)
    assert str(info.value).splitlines() == [
        f"""{path}: graph.nodes[1] ('h'): "config" must be an object""",
        f"{path}: graph.nodes[2]: node id 'x' is used twice",
        f"""{path}: graph.edges[0] ('x' → 'h'): "target_port" must be a whole number ≥ 0, got -2""",
    ]
    assert info.value.source == str(path) and len(info.value.problems) == 3


def test_edges_to_missing_nodes_still_load_for_validation_to_report(write_project):
    project = project_file.load(write_project(doc_with(edges=[{"source": "x", "target": "ghost"}])))
    assert project.graph.edges == [Edge("x", "ghost")]
    assert "Input 'x': connected to node 'ghost', which does not exist" in [str(p) for p in validate(project.graph)]


# -- migrations ------------------------------------------------------------------------
def test_older_versions_are_migrated_step_by_step(monkeypatch, write_project):
    seen = []

    def v1_to_v2(doc):
        seen.append((1, doc["version"]))
        doc["graph"] = doc.pop("network")
        return doc

    def v2_to_v3(doc):
        seen.append((2, doc["version"]))
        for node in doc["graph"]["nodes"]:
            if node["layer"] == "FullyConnected":
                node["layer"] = "Dense"
        return doc

    monkeypatch.setattr(project_file, "VERSION", 3)
    monkeypatch.setattr(project_file, "MIGRATIONS", {1: v1_to_v2, 2: v2_to_v3})
    old = doc_with()
    old["network"] = old.pop("graph")
    old["network"]["nodes"][1]["layer"] = "FullyConnected"
    project = project_file.load(write_project(old))
    assert seen == [(1, 1), (2, 2)]
    assert [n.layer for n in project.graph.nodes] == ["Input", "Dense"]
    assert project.to_dict()["version"] == 3
    assert "network" not in project.sections

    seen.clear()
    newer = doc_with()
    newer["version"] = 2
    newer["graph"]["nodes"][1]["layer"] = "FullyConnected"
    assert project_file.from_dict(newer).graph.node("h").layer == "Dense"
    assert seen == [(2, 2)]
    assert newer["version"] == 2  # the caller's document is left alone

    path = write_project({**doc_with(), "version": 4})
    assert problems_of(path) == [
        f"{path}: format version 4 was written by a newer netbuilder; this one reads versions up to 3"
    ]


def test_an_old_version_without_a_migration_is_refused(monkeypatch, write_project):
    monkeypatch.setattr(project_file, "VERSION", 2)
    monkeypatch.setattr(project_file, "MIGRATIONS", {1: lambda doc: doc})
    path = write_project({**doc_with(), "version": 0})
    assert problems_of(path) == [f"{path}: format version 0 is not a version netbuilder ever wrote"]
    assert project_file.load(write_project({**doc_with(), "version": 1})).to_dict()["version"] == 2


def test_a_migrated_file_is_still_checked(monkeypatch, write_project):
    monkeypatch.setattr(project_file, "VERSION", 2)
    monkeypatch.setattr(project_file, "MIGRATIONS", {1: lambda doc: {**doc, "name": ""}})
    path = write_project(doc_with())
    assert problems_of(path) == [f'{path}: "name" must be a non-empty string']


# -- saving ----------------------------------------------------------------------------
def small_project(name="p"):
    graph = Graph()
    graph.add_node(Node("x", "Input", {"shape": [2]}, (1.5, -2.0)))
    graph.add_node(Node("h", "Dense", {"units": 1}))
    graph.add_edge(Edge("x", "h"))
    return Project(name=name, graph=graph, sections={"training": {"epochs": 3}})


def test_save_then_load(tmp_path):
    project = small_project()
    path = project_file.save(project, tmp_path / "sub" / "p.nbproj")
    assert path == project.path == tmp_path / "sub" / "p.nbproj"
    assert project_file.load(path).to_dict() == project.to_dict()
    assert path.read_text(encoding="utf-8").endswith("}\n")


def test_saving_over_an_existing_file_replaces_it(tmp_path):
    path = tmp_path / "p.nbproj"
    project_file.save(small_project("first"), path)
    project_file.save(small_project("second"), path)
    assert project_file.load(path).name == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.nbproj"]


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_a_failed_save_keeps_the_previous_file(tmp_path, monkeypatch, failing):
    path = tmp_path / "p.nbproj"
    project_file.save(small_project("first"), path)
    before = path.read_bytes()

    def broken(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, broken)
    with pytest.raises(OSError, match="No space left on device"):
        project_file.save(small_project("second"), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.nbproj"]


@pytest.mark.parametrize("bad_value", ["x" * 100_000 + "\ud800", float("nan"), float("inf")])
def test_an_unstorable_value_is_refused_before_the_previous_file_is_touched(tmp_path, bad_value):
    path = tmp_path / "p.nbproj"
    project_file.save(small_project("first"), path)
    before = path.read_bytes()
    broken = small_project("second")
    broken.sections["notes"] = bad_value
    with pytest.raises(ProjectFileError, match=r"p\.nbproj: cannot be saved: "):
        project_file.save(broken, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.nbproj"]
    assert broken.path is None


def test_saving_keeps_the_file_mode(tmp_path):
    path = tmp_path / "p.nbproj"
    project_file.save(small_project("first"), path)
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o640)
    project_file.save(small_project("second"), path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_byte_order_mark_is_tolerated(tmp_path):
    path = tmp_path / "p.nbproj"
    path.write_bytes(b"\xef\xbb\xbf" + project_file.dumps(small_project("bom")).encode())
    assert project_file.load(path).name == "bom"
