"""Every hostile project that ever crashed netbuilder (issue 15, and what the fuzzer found), as a plain test.

Each one goes through `netbuilder validate` (and `summary` where it builds)
in-process: exit 0, or exit 1 with one printable line per problem that names
the file and the culprit. The last test opens a few of them in the real window.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from netbuilder.cli import main
from netbuilder.cli_common import printable
from netbuilder.graph import project_file
from netbuilder.graph.json_limits import MAX_BYTES

INPUT = {"id": "x", "layer": "Input", "config": {"shape": [4]}}
BASE = {
    "format": "netbuilder", "version": 1, "name": "t",
    "graph": {"nodes": [INPUT, {"id": "h", "layer": "Dense", "config": {"units": 3}}],
              "edges": [{"source": "x", "target": "h"}]},
}


def doc(nodes: list[dict[str, Any]] | None = None, edges: list[dict[str, Any]] | None = None,
        **top: Any) -> dict[str, Any]:
    made = copy.deepcopy(BASE)
    if nodes is not None:
        made["graph"]["nodes"] = [INPUT, *nodes]
    if edges is not None:
        made["graph"]["edges"] = edges
    made.update(top)
    return made


def calling(name: str) -> dict[str, Any]:
    """A sub-model graph: an Input feeding a Submodel node that calls `name`."""
    return {"nodes": [INPUT, {"id": "s", "layer": "Submodel", "config": {"submodel": name}}],
            "edges": [{"source": "x", "target": "s"}]}


def calls_a() -> dict[str, Any]:
    return doc([{"id": "h", "layer": "Submodel", "config": {"submodel": "A"}}])


def run(command: str, path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    """Exit code, stderr lines without the file name they all start with, and stdout."""
    capsys.readouterr()
    code = main([command, str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = err.splitlines()
    assert all(line.startswith(f"{path}: ") and printable(line) == line for line in lines), lines
    return code, [line.removeprefix(f"{path}: ") for line in lines], out


def validate(write_project: Any, capsys: pytest.CaptureFixture[str], document: Any) -> tuple[int, list[str], str]:
    return run("validate", write_project(document), capsys)


# -- sub-models --------------------------------------------------------------------------------
def test_a_sub_model_that_uses_itself_is_refused_by_name(write_project, capsys):
    code, err, _ = validate(write_project, capsys, {**calls_a(), "submodels": {"A": calling("A")}})
    assert (code, err) == (1, ["sub-model 'A' contains itself: A → A; a sub-model cannot call itself, "
                               "directly or through others"])


def test_sub_models_that_use_each_other_are_refused_by_name(write_project, capsys):
    code, err, _ = validate(write_project, capsys, {**calls_a(), "submodels": {"A": calling("B"), "B": calling("A")}})
    assert (code, err) == (1, ["sub-model 'A' contains itself: A → B → A; a sub-model cannot call itself, "
                               "directly or through others"])


def test_sub_models_nested_past_the_limit_are_refused(write_project, capsys):
    subs = {f"r{k}": calling(f"r{k + 1}") for k in range(39)}
    subs["r39"] = {"nodes": [INPUT, {"id": "d", "layer": "Dense", "config": {"units": 2}}],
                   "edges": [{"source": "x", "target": "d"}]}
    document = doc([{"id": "h", "layer": "Submodel", "config": {"submodel": "r0"}}], submodels=subs)
    code, err, _ = validate(write_project, capsys, document)
    assert (code, err) == (1, ["sub-models nest 40 levels deep (r0 → r1 → r2 → … → r38 → r39); "
                               "netbuilder builds at most 32"])


@pytest.mark.parametrize("edges", [
    [{"source": "x", "target": "d"}, {"source": "d", "target": "d", "target_port": 1}],
    [{"source": "x", "target": "d"}, {"source": "d", "target": "e"}, {"source": "e", "target": "d", "target_port": 1}],
])
def test_a_cycle_inside_a_sub_model_is_named_and_nothing_is_built(write_project, capsys, edges):
    inner = {"nodes": [INPUT, {"id": "d", "layer": "Add", "config": {}}, {"id": "e", "layer": "Dense",
                                                                          "config": {"units": 4}}],
             "edges": edges}
    path = write_project({**calls_a(), "submodels": {"A": inner}})
    code, err, _ = run("validate", path, capsys)
    assert code == 1 and err[0].startswith("Add 'd' in sub-model 'A': is part of a cycle: d → ")
    assert "Submodel 'h': sub-model 'A' is not valid" in err[-1]
    assert run("summary", path, capsys)[0] == 1


# -- numbers -----------------------------------------------------------------------------------
def test_a_position_of_400_digits_is_refused_where_it_is(write_project, capsys):
    text = json.dumps(doc([{"id": "h", "layer": "Dense", "config": {"units": 3}, "position": [7, 0]}]))
    text = text.replace("[7, 0]", f"[{10**400}, 0]")
    code, err, _ = validate(write_project, capsys, text)
    column = text.index("1000") + 1
    assert (code, err) == (1, [f"not valid JSON: 10000000000000000000… (401 characters) is too large a number "
                               f"at line 1 column {column}"])


@pytest.mark.parametrize("position", [[1e9, 0], [0, -20_000_000]])
def test_a_position_far_off_the_canvas_is_refused(write_project, capsys, position):
    code, err, _ = validate(write_project, capsys, doc([{"id": "h", "layer": "Dense", "config": {"units": 3},
                                                         "position": position}]))
    assert (code, err) == (1, [f"""graph.nodes[1] ('h'): "position" must be [x, y] numbers from -10,000,000 to """
                               f"""10,000,000, got {json.dumps(position)}"""])


def test_a_port_of_a_billion_into_a_merge_is_refused_without_counting_to_it(write_project, capsys):
    document = doc([{"id": "c", "layer": "Concatenate", "config": {}}],
                   [{"source": "x", "target": "c"}, {"source": "x", "target": "c", "target_port": 1_000_000_000}])
    code, err, _ = validate(write_project, capsys, document)
    assert (code, err) == (1, ["""graph.edges[1] ('x' → 'c'): "target_port" must be at most 9999 """
                               "(no layer has that many ports), got 1000000000"])


def test_the_highest_port_a_file_may_use_lists_a_few_gaps_and_counts_the_rest(write_project, capsys):
    document = doc([{"id": "c", "layer": "Concatenate", "config": {}}],
                   [{"source": "x", "target": "c"}, {"source": "x", "target": "c", "target_port": 9999}])
    code, err, _ = validate(write_project, capsys, document)
    assert (code, err) == (1, ["Concatenate 'c': input ports 1, 2, 3, 4, 5, … (9,998 in all) are not connected"])


@pytest.mark.parametrize("layer, config, message", [
    ("Dense", {"units": 2**40}, "units must be at most 16,777,216 (a size Keras would allocate), got 1099511627776"),
    ("Embedding", {"input_dim": 10, "output_dim": 2**30},
     "output_dim must be at most 16,777,216 (a size Keras would allocate), got 1073741824"),
    ("Conv1D", {"filters": 2, "kernel_size": [2**33]},
     "kernel_size must be at most 16,777,216 (a size Keras would allocate), got 8589934592"),
    ("Bidirectional", {"layer": {"class_name": "LSTM", "config": {"units": 2**40}}},
     "layer.config.units must be at most 16,777,216 (a size Keras would allocate), got 1099511627776"),
])
def test_sizes_keras_would_allocate_are_refused_before_it_tries(write_project, capsys, layer, config, message):
    code, err, _ = validate(write_project, capsys, doc([{"id": "h", "layer": layer, "config": config}]))
    assert (code, err) == (1, [f"{layer} 'h': {message}"])


def test_an_input_shape_too_large_to_be_one_is_refused(write_project, capsys):
    document = doc()
    document["graph"]["nodes"][0] = {"id": "x", "layer": "Input", "config": {"shape": [2**40]}}
    code, err, _ = validate(write_project, capsys, document)
    assert (code, err) == (1, ["Input 'x': shape must be at most 16,777,216 (a size Keras would allocate), "
                               "got 1099511627776"])


def test_a_whole_number_of_thousands_of_digits_is_refused(write_project, capsys):
    text = json.dumps(BASE).replace('"units": 3', '"units": ' + "9" * 5000)
    code, err, _ = validate(write_project, capsys, text)
    assert code == 1 and err == [f"not valid JSON: 99999999999999999999… (5000 characters) is too large a number "
                                 f"at line 1 column {text.index('999') + 1}"]


def test_an_operation_with_no_input_is_refused_before_keras_computes_it(write_project, capsys):
    # With no tensor to follow, keras.ops would compute arange(2e9) right away: 8 GB for one node.
    operation = {"id": "o", "layer": "Operation", "config": {"operation": "arange"}, "call_args": [0, 2_000_000_000]}
    code, err, _ = validate(write_project, capsys, doc([operation, {"id": "h", "layer": "Dense", "config": {"units": 3}}]))
    assert (code, err) == (1, ["Operation 'o': takes no input: an operation of the model needs a tensor wired into it"])


def test_validate_checks_the_io_section_as_summary_builds_it(write_project, capsys):
    # Found by the fuzzer: validate said "valid" and summary then refused the file.
    path = write_project(doc(io={"outputs": [["h", "h", 0]]}))
    for command in ("validate", "summary"):
        code, err, _ = run(command, path, capsys)
        assert (code, err) == (1, ["io outputs must be a node id, [node id, port], or a list or object of those"])


# -- text --------------------------------------------------------------------------------------
@pytest.mark.parametrize("where, field", [("node", "graph.nodes[1].id"), ("name", "name")])
def test_a_lone_surrogate_is_refused_naming_the_field(write_project, capsys, where, field):
    document = doc([{"id": "h\ud800", "layer": "Dense", "config": {"units": 3}}],
                   [{"source": "x", "target": "h\ud800"}]) if where == "node" else doc(name="t\udc00")
    code, err, _ = validate(write_project, capsys, document)  # json.dumps writes it as the escape \ud800
    assert (code, err) == (1, [f"{field}: holds a lone UTF-16 surrogate (an escape such as \\ud800, half of a "
                               "character), which no file or name can store"])


def test_an_id_with_terminal_escapes_builds_under_a_safe_name_and_prints_escaped(write_project, capsys):
    node_id = "h\x1b[31mred\n'\""
    path = write_project(doc([{"id": node_id, "layer": "Dense", "config": {"units": 3}}],
                             [{"source": "x", "target": node_id}], name="evil\x1b]0;title\x07"))
    code, err, out = run("validate", path, capsys)
    assert (code, err) == (0, [])
    assert out == f"{path}: valid — 2 nodes, 1 edges; inputs x (None, 4); outputs h\\x1b[31mred\\n'\" (None, 3); 15 parameters\n"
    code, err, out = run("summary", path, capsys)
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert "h_31mred" in out and 'Model: "evil\\x1b]0;title' in out  # rich drops the bell itself


def test_an_id_keras_would_not_take_names_its_layer_as_close_as_it_can(write_project, capsys):
    path = write_project(doc([{"id": "my tip!", "layer": "Dense", "config": {"units": 3}}],
                             [{"source": "x", "target": "my tip!"}]))
    code, err, out = run("summary", path, capsys)
    assert (code, err) == (0, []) and "my_tip (Dense)" in out


def test_ids_and_sub_model_names_tensorflow_would_refuse_still_train(write_project):
    import numpy as np

    from netbuilder.keras_bridge import build_model

    inner = {"nodes": [INPUT, {"id": "d d", "layer": "Dense", "config": {"units": 2}}],
             "edges": [{"source": "x", "target": "d d"}]}
    document = doc([{"id": "my tip!", "layer": "Submodel", "config": {"submodel": "my enc"}}],
                   [{"source": "x", "target": "my tip!"}], submodels={"my enc": inner})
    model = build_model(project_file.load(write_project(document))).model
    assert [layer.name for layer in model.layers] == ["x", "my_enc"]  # a sub-model is a layer named after it
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((4, 4)), np.zeros((4, 2)), epochs=1, verbose=0)  # TensorFlow's name scopes take them


def test_a_problem_holding_a_newline_stays_on_its_line(write_project, capsys):
    code, err, _ = validate(write_project, capsys, doc([{"id": "a\nb", "layer": 3}]))
    assert (code, err) == (1, ["""graph.nodes[1] ('a\\nb'): "layer" must be a layer name such as "Dense\""""])


# -- the file as a whole -------------------------------------------------------------------------
def test_a_file_larger_than_the_cap_is_refused_unread(tmp_path, capsys):
    path = tmp_path / "huge.nbproj"
    with path.open("wb") as file:
        file.truncate(MAX_BYTES + 1)  # sparse: no disk is spent on it
    code, err, _ = run("validate", path, capsys)
    assert (code, err) == (1, ["is larger than 64 MB, the most netbuilder reads"])


@pytest.mark.parametrize("depth", [65, 999, 5000])
def test_deep_nesting_anywhere_is_refused(write_project, capsys, depth):
    text = json.dumps(doc(training={"x": "DEEP"})).replace('"DEEP"', "[" * depth + "]" * depth)
    code, err, _ = validate(write_project, capsys, text)
    assert (code, err) == (1, ["lists and objects nest more than 64 levels deep"])


def test_nesting_up_to_the_limit_is_read(write_project):
    path = write_project(json.dumps(doc(ui={"x": "DEEP"})).replace('"DEEP"', "[" * 62 + "]" * 62))
    assert project_file.load(path).sections["ui"]["x"]


# -- the editor opens them too ---------------------------------------------------------------------
HOSTILE_FOR_THE_EDITOR = [  # (file, whether it opens)
    ({**calls_a(), "submodels": {"A": calling("B"), "B": calling("A")}}, False),
    (doc([{"id": "c", "layer": "Concatenate", "config": {}}],
         [{"source": "x", "target": "c"}, {"source": "x", "target": "c", "target_port": 9999}]), True),
    (doc([{"id": "h\x1b[31m\n", "layer": "Dense", "config": {"units": 2**40}}],
         [{"source": "x", "target": "h\x1b[31m\n"}]), True),
    (doc([{"id": "h", "layer": "Dense", "config": {"units": 3}, "position": [9_999_999, -9_999_999]}]), True),
    (doc(name="t\udc00"), False),
]


def test_the_editor_opens_or_refuses_hostile_files_in_a_sentence(editor, write_project):
    for k, (document, opens) in enumerate(HOSTILE_FOR_THE_EDITOR):
        editor.files.told.clear()
        path = write_project(document, name=f"hostile{k}.nbproj")
        assert editor.files.open_path(path) is opens
        if opens:
            editor.document.flush_check()  # the full check, TensorFlow loaded: settings and shapes too
            assert editor.document.project.path == path and editor.files.told == []
        else:
            assert len(editor.files.told) == 1 and editor.files.told[0].startswith("Cannot open project: ")
