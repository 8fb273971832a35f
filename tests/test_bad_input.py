"""Bad projects get one clear line per problem naming the culprit; nothing crashes."""

import copy

import pytest

from netbuilder.cli import main

BASE = {
    "format": "netbuilder",
    "version": 1,
    "name": "t",
    "graph": {
        "nodes": [
            {"id": "x", "layer": "Input", "config": {"shape": [4]}},
            {"id": "h", "layer": "Dense", "config": {"units": 3}},
        ],
        "edges": [{"source": "x", "target": "h"}],
    },
}


def run_validate(write_project, capsys, doc):
    path = write_project(doc)
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, [line.removeprefix(f"{path}: ") for line in captured.err.splitlines()], captured.out


def with_nodes(nodes, edges):
    doc = copy.deepcopy(BASE)
    doc["graph"] = {"nodes": nodes, "edges": edges}
    return doc


def test_valid_base_project(write_project, capsys):
    code, err, out = run_validate(write_project, capsys, BASE)
    assert code == 0 and err == []
    assert "valid — 2 nodes, 1 edges; inputs x (None, 4); outputs h (None, 3); 15 parameters" in out


def test_malformed_json(write_project, capsys):
    code, err, _ = run_validate(write_project, capsys, '{"format": "netbuilder",\n "version": 1,,}')
    assert code == 1
    assert err == ["not valid JSON: Expecting property name enclosed in double quotes at line 2 column 15"]


def test_unknown_format_version(write_project, capsys):
    doc = dict(BASE, version=7)
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == ["format version 7 was written by a newer netbuilder; this one reads versions up to 1"]


def test_unknown_layer_name_with_suggestion(write_project, capsys):
    doc = copy.deepcopy(BASE)
    doc["graph"]["nodes"][1]["layer"] = "Dens"
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == ["Dens 'h': unknown layer 'Dens' (did you mean Dense?)"]


def test_layer_that_carries_code_is_refused(write_project, capsys):
    doc = copy.deepcopy(BASE)
    doc["graph"]["nodes"][1] = {"id": "h", "layer": "Lambda", "config": {"function": "evil"}}
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1 and len(err) == 1
    assert err[0].startswith("Lambda 'h': ") and "code" in err[0]


@pytest.mark.parametrize(
    "config, message",
    [
        ({"units": -3}, "Dense 'h': units must be at least 1, got -3"),
        ({"units": "abc"}, 'Dense \'h\': units must be a whole number, got "abc"'),
        ({"units": 3.5}, "Dense 'h': units must be a whole number, got 3.5"),
        ({"units": True}, "Dense 'h': units must be a whole number, got true"),
        (
            {"units": 3, "activation": "relux"},
            "Dense 'h': activation must be one of relu, sigmoid, softmax, tanh, linear, gelu, …, "
            'got "relux" (did you mean "relu"?)',
        ),
        ({"units": 3, "unitz": 4}, 'Dense \'h\': unknown setting "unitz" (did you mean "units"?)'),
    ],
)
def test_negative_or_wrong_typed_config(write_project, capsys, config, message):
    doc = copy.deepcopy(BASE)
    doc["graph"]["nodes"][1]["config"] = config
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == [message]


def test_bad_input_shape(write_project, capsys):
    doc = copy.deepcopy(BASE)
    doc["graph"]["nodes"][0]["config"] = {"shape": [4, -1]}
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == ["Input 'x': shape must be a list of positive whole numbers (or null), got [4, -1]"]


def test_cycle(write_project, capsys):
    doc = with_nodes(
        [
            {"id": "x", "layer": "Input", "config": {"shape": [4]}},
            {"id": "a", "layer": "Dense", "config": {"units": 4}},
            {"id": "b", "layer": "Dense", "config": {"units": 4}},
            {"id": "sum", "layer": "Add", "config": {}},
        ],
        [
            {"source": "x", "target": "sum", "target_port": 0},
            {"source": "sum", "target": "a"},
            {"source": "a", "target": "b"},
            {"source": "b", "target": "sum", "target_port": 1},
        ],
    )
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == ["Add 'sum': is part of a cycle: sum → a → b → sum"]


def test_edge_to_missing_node(write_project, capsys):
    doc = copy.deepcopy(BASE)
    doc["graph"]["edges"].append({"source": "h", "target": "ghost"})
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == ["Dense 'h': connected to node 'ghost', which does not exist"]


def test_shape_mismatch_in_add(write_project, capsys):
    doc = with_nodes(
        [
            {"id": "x", "layer": "Input", "config": {"shape": [8]}},
            {"id": "a", "layer": "Dense", "config": {"units": 4}},
            {"id": "b", "layer": "Dense", "config": {"units": 5}},
            {"id": "sum", "layer": "Add", "config": {}},
        ],
        [
            {"source": "x", "target": "a"},
            {"source": "x", "target": "b"},
            {"source": "a", "target": "sum", "target_port": 0},
            {"source": "b", "target": "sum", "target_port": 1},
        ],
    )
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == ["Add 'sum': inputs have shapes (None, 4) and (None, 5); Add needs equal shapes"]


def test_conv_on_flat_input_says_what_rank_it_needs(write_project, capsys):
    doc = copy.deepcopy(BASE)
    doc["graph"]["nodes"][1] = {"id": "h", "layer": "Conv2D", "config": {"filters": 2, "kernel_size": 3}}
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == ["Conv2D 'h': expects a 4-D input (batch included), got shape (None, 4)"]


def test_graph_with_no_input(write_project, capsys):
    doc = with_nodes([{"id": "h", "layer": "Dense", "config": {"units": 3}}], [])
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == [
        "the graph has no Input node: add one to feed the model",
        "Dense 'h': has no inputs; it needs 1 input",
    ]


def test_several_problems_each_on_its_own_line(write_project, capsys):
    doc = with_nodes(
        [
            {"id": "x", "layer": "Input", "config": {"shape": [4]}},
            {"id": "a", "layer": "Dense", "config": {"units": 0}},
            {"id": "b", "layer": "Dens", "config": {}},
        ],
        [{"source": "x", "target": "a"}, {"source": "x", "target": "b"}],
    )
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == [
        "Dense 'a': units must be at least 1, got 0",
        "Dens 'b': unknown layer 'Dens' (did you mean Dense?)",
    ]


def test_missing_project_file(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.nbproj")]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'nope.nbproj'}: no such file\n"


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["validate"])
    assert exc.value.code == 2


def test_submodel_that_does_not_exist(write_project, capsys):
    doc = copy.deepcopy(BASE)
    doc["graph"]["nodes"][1] = {"id": "h", "layer": "Submodel", "config": {"submodel": "enc"}}
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == ["Submodel 'h': refers to sub-model 'enc', which the project does not define (it has: none)"]


def test_a_cycle_does_not_hide_other_problems(write_project, capsys):
    doc = with_nodes(
        [
            {"id": "x", "layer": "Input", "config": {"shape": [4]}},
            {"id": "a", "layer": "Dense", "config": {"units": -1}},
            {"id": "sum", "layer": "Add", "config": {}},
        ],
        [
            {"source": "x", "target": "sum", "target_port": 0},
            {"source": "sum", "target": "a"},
            {"source": "a", "target": "sum", "target_port": 1},
        ],
    )
    code, err, _ = run_validate(write_project, capsys, doc)
    assert code == 1
    assert err == ["Add 'sum': is part of a cycle: sum → a → sum", "Dense 'a': units must be at least 1, got -1"]


def test_layers_whose_from_config_wants_optional_keys_still_build(write_project, capsys):
    doc = copy.deepcopy(BASE)
    doc["graph"]["nodes"][1] = {"id": "h", "layer": "Rescaling", "config": {"scale": 0.5}}
    code, err, out = run_validate(write_project, capsys, doc)
    assert (code, err) == (0, [])
    assert "outputs h (None, 4); 0 parameters" in out


def test_slashes_in_model_and_sub_model_names_are_accepted(write_project, capsys):
    doc = copy.deepcopy(BASE)
    doc["name"] = "v1/main"
    doc["graph"]["nodes"][1] = {"id": "h", "layer": "Submodel", "config": {"submodel": "enc/v1"}}
    doc["submodels"] = {
        "enc/v1": {
            "nodes": [
                {"id": "i", "layer": "Input", "config": {"shape": [4]}},
                {"id": "d", "layer": "Dense", "config": {"units": 3}},
            ],
            "edges": [{"source": "i", "target": "d"}],
        }
    }
    code, err, out = run_validate(write_project, capsys, doc)
    assert (code, err) == (0, [])
    assert "outputs h (None, 3); 15 parameters" in out
