"""The layer catalog: what the palette lists, what the inspector checks, how it loads."""

import json
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402

from netbuilder.catalog import Catalog, LayerSpec, check_config, load_catalog  # noqa: E402
from netbuilder.catalog import cache, overrides  # noqa: E402
from netbuilder.graph import Edge, Graph, Node, validate  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CATALOG = load_catalog()


@pytest.fixture
def fresh_load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """load_catalog() with an empty user cache and no memoised result, before and after."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache.load_catalog.cache_clear()
    yield cache.load_catalog
    cache.load_catalog.cache_clear()


def spec(name: str) -> LayerSpec:
    found = CATALOG.get(name)
    assert found is not None, name
    return found


# -- the bundled JSON --------------------------------------------------------------------------

def test_bundled_catalog_matches_fresh_introspection(fresh_load) -> None:
    from netbuilder.catalog import build_catalog

    built = build_catalog()
    fresh = built.to_json()
    bundled = Catalog.from_json(cache.BUNDLED.read_text(encoding="utf-8"))
    if bundled.keras_version == built.keras_version:
        assert cache.BUNDLED.read_text(encoding="utf-8") == fresh, (
            "netbuilder/catalog/layers.json is stale: run `python -m netbuilder.catalog`")
    else:
        # Another Keras than the one layers.json was made from (say a newer release on a fresh
        # machine): the bundled list must not be used; netbuilder builds and caches its own.
        assert fresh_load().keras_version == built.keras_version
    # Only the deny-list keeps layers out: no layer was dropped because its seed failed.
    assert json.loads(fresh)["denied"] == dict(overrides.DENIED)


def test_loading_the_catalog_does_not_import_keras(tmp_path: Path) -> None:
    script = ("import sys\nfrom netbuilder.catalog import load_catalog\n"
              "assert len(load_catalog()) >= 120\n"
              "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_json_round_trip_keeps_everything() -> None:
    again = Catalog.from_json(CATALOG.to_json())
    assert again.to_json() == CATALOG.to_json()
    assert again.keras_version == CATALOG.keras_version


def test_from_json_refuses_other_files() -> None:
    with pytest.raises(ValueError, match="not a netbuilder layer catalog"):
        Catalog.from_json('{"format": "netbuilder", "version": 1}')


# -- loading and caching -----------------------------------------------------------------------

def test_other_keras_version_builds_once_then_reads_user_cache(fresh_load, monkeypatch, tmp_path):
    monkeypatch.setattr(cache, "installed_keras_version", lambda: "0.0-test")
    built = Catalog([LayerSpec(name="Dense", category="Core")], {}, "0.0-test")
    monkeypatch.setattr(cache, "build_catalog", lambda: built)
    assert fresh_load() is built
    written = tmp_path / "cache" / "netbuilder" / "catalog-0.0-test.json"
    assert written.read_text(encoding="utf-8") == built.to_json()

    cache.load_catalog.cache_clear()
    monkeypatch.setattr(cache, "build_catalog", lambda: pytest.fail("should read the user cache"))
    assert fresh_load().names() == ["Dense"]


def test_unwritable_cache_directory_is_not_an_error(fresh_load, monkeypatch, tmp_path):
    (tmp_path / "cache").write_text("a file where the cache directory should be")
    monkeypatch.setattr(cache, "installed_keras_version", lambda: "0.0-test")
    monkeypatch.setattr(cache, "build_catalog",
                        lambda: Catalog([LayerSpec(name="Dense", category="Core")], {}, "0.0-test"))
    assert "Dense" in fresh_load()


def test_damaged_user_cache_is_rebuilt(fresh_load, monkeypatch, tmp_path):
    damaged = tmp_path / "cache" / "netbuilder" / "catalog-0.0-test.json"
    damaged.parent.mkdir(parents=True)
    damaged.write_text('{"format": "netbuilder-catalog", "lay')
    monkeypatch.setattr(cache, "installed_keras_version", lambda: "0.0-test")
    monkeypatch.setattr(cache, "build_catalog",
                        lambda: Catalog([LayerSpec(name="Dense", category="Core")], {}, "0.0-test"))
    assert fresh_load().names() == ["Dense"]
    assert Catalog.from_json(damaged.read_text()).names() == ["Dense"]


def test_load_catalog_is_memoised(fresh_load):
    assert fresh_load() is fresh_load()


# -- lookups -----------------------------------------------------------------------------------

def test_aliases_resolve_to_one_spec() -> None:
    assert CATALOG.get("Convolution2D") is CATALOG.get("Conv2D")
    assert CATALOG.get("AvgPool2D") is CATALOG.get("AveragePooling2D")
    assert "Convolution2D" in CATALOG
    assert "Convolution2D" not in CATALOG.names()
    assert "Convolution2D" in spec("Conv2D").aliases


def test_names_are_sorted_and_unknown_names_are_absent() -> None:
    assert CATALOG.names() == sorted(CATALOG.names())
    assert len(CATALOG) == len(CATALOG.names())
    assert CATALOG.get("Dnese") is None and "Dnese" not in CATALOG


def test_categories_hold_every_layer_once_most_used_first() -> None:
    groups = CATALOG.categories()
    listed = [name for names in groups.values() for name in names]
    assert sorted(listed) == CATALOG.names()
    assert list(groups)[0] == "Core"
    assert "Dense" in groups["Core"]
    assert "Conv2D" in groups["Convolution"]
    assert "LSTM" in groups["Recurrent"]
    assert "Concatenate" in groups["Merge"]
    assert "RandomFlip" in groups["Image augmentation"]


def test_suggest_finds_mistyped_names_ignoring_case() -> None:
    assert "Dense" in CATALOG.suggest("Dens")
    assert CATALOG.suggest("conv2d")[0] == "Conv2D"
    assert CATALOG.suggest("zzzzzz") == []


def test_denied_layers_are_explained_and_not_offered() -> None:
    reason = CATALOG.denied_reason("Lambda")
    assert reason is not None and "code" in reason
    assert "Lambda" not in CATALOG
    for name in overrides.DENIED:
        assert CATALOG.denied_reason(name) and name not in CATALOG
    assert CATALOG.denied_reason("Dense") is None


def test_docs_and_help_come_from_keras() -> None:
    dense = spec("Dense")
    assert dense.doc.startswith("Just your regular densely-connected NN layer")
    units = dense.param("units")
    assert units is not None and "dimensionality of the output space" in units.help
    assert all(spec(name).doc for name in CATALOG.names())


# -- inputs and ports --------------------------------------------------------------------------

@pytest.mark.parametrize("layer, expected", [
    ("Add", (2, None)), ("Concatenate", (2, None)), ("Subtract", (2, 2)), ("Dot", (2, 2)),
    ("MultiHeadAttention", (2, 3)), ("Attention", (2, 3)), ("Dense", (1, 1)), ("Input", (0, 0)),
])
def test_input_range(layer: str, expected: tuple) -> None:
    assert CATALOG.input_range(Node(id="n", layer=layer)) == expected


def test_input_modes_and_port_names() -> None:
    assert spec("Add").input_mode == "list"
    assert spec("Attention").input_mode == "list"
    assert spec("MultiHeadAttention").input_mode == "positional"
    assert spec("MultiHeadAttention").port_names == ["query", "value", "key"]
    assert spec("Dense").input_mode == "single"


def test_input_range_of_unknown_layers_and_submodels() -> None:
    inner = Graph()
    for node_id in ("a", "b"):
        inner.add_node(Node(id=node_id, layer="Input", config={"shape": [4]}))
    submodel = Node(id="s", layer="Submodel", config={"submodel": "pair"})
    assert CATALOG.input_range(submodel, {"pair": inner}) == (2, 2)
    assert CATALOG.input_range(submodel, {}) is None
    assert CATALOG.input_range(submodel) is None
    assert CATALOG.input_range(Node(id="x", layer="Lambda")) is None


def test_validation_uses_catalog_arity() -> None:
    graph = Graph()
    graph.add_node(Node(id="x", layer="Input", config={"shape": [8]}))
    graph.add_node(Node(id="sum", layer="Add"))
    graph.add_edge(Edge("x", "sum"))
    messages = [str(p) for p in validate(graph, CATALOG.input_range)]
    assert messages == ["Add 'sum': has 1 input; it needs at least 2 inputs"]


# -- settings ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CATALOG.names())
def test_defaults_pass_their_own_check(name: str) -> None:
    assert check_config(spec(name), spec(name).defaults()) == []


@pytest.mark.parametrize("name", CATALOG.names())
def test_seed_values_cover_every_required_setting(name: str) -> None:
    # A node dropped from the palette starts with the seed as its config: it must be complete.
    layer = spec(name)
    assert all(p.name in layer.seed for p in layer.params if p.required)
    assert check_config(layer, layer.seed) == []


@pytest.mark.parametrize("layer, config, message", [
    ("Dense", {"units": 8, "unitz": 8}, 'unknown setting "unitz" (did you mean "units"?)'),
    ("Dense", {"units": 8, "colour": "red"}, 'unknown setting "colour"'),
    ("Dense", {"units": "abc"}, 'units must be a whole number, got "abc"'),
    ("Dense", {"units": -3}, "units must be at least 1, got -3"),
    ("Dense", {"units": True}, "units must be a whole number, got true"),
    ("Dense", {"units": 2.5}, "units must be a whole number, got 2.5"),
    ("Dropout", {"rate": True}, "rate must be a number, got true"),
    ("Dropout", {"rate": -0.5}, "rate must be at least 0, got -0.5"),
    ("Dense", {"units": 8, "activation": "relux"},
     'activation must be one of relu, sigmoid, softmax, tanh, linear, gelu, …, got "relux"'
     ' (did you mean "relu"?)'),
    ("Dense", {"units": 8, "use_bias": 3}, "use_bias must be true or false, got 3"),
    ("Conv2D", {"filters": 4, "kernel_size": "3x3"},
     'kernel_size must be a whole number or a list of them, got "3x3"'),
    ("Conv2D", {"filters": 4, "kernel_size": [3, True]},
     "kernel_size must be a whole number or a list of them, got [3, true]"),
    ("Conv2D", {"filters": 4, "kernel_size": 3, "padding": "causal"},
     'padding must be one of valid, same, got "causal"'),
    ("Dense", {"units": 8, "kernel_initializer": 3},
     "kernel_initializer must be the name of a Keras initializer or its Keras config, got 3"),
    ("Dense", {"units": 8, "name": ""}, "name must not be empty"),
    ("Dense", {"units": 8, "name": 7}, "name must be text, got 7"),
    ("Dense", {}, "units is required"),
])
def test_config_problems_read_as_one_clear_sentence(layer: str, config: dict, message: str) -> None:
    assert check_config(spec(layer), config) == [message]


def test_configs_keras_accepts_pass() -> None:
    dense = spec("Dense")
    assert check_config(dense, {
        "units": 8, "name": "hidden", "trainable": False, "dtype": "float32", "autocast": True,
        "activation": None, "kernel_initializer": "he_normal", "kernel_regularizer": "l2",
        "bias_constraint": {"class_name": "NonNeg", "config": {}},
    }) == []
    conv1d = {"filters": 4, "kernel_size": [3], "padding": "causal"}
    assert check_config(spec("Conv1D"), conv1d) == []
    assert check_config(spec("RandomRotation"), {"factor": [-0.2, 0.3]}) == []
    assert check_config(spec("LSTM"), {"units": 4, "use_cudnn": False}) == []


def test_noise_shape_takes_null_entries_but_kernel_size_does_not():
    catalog = load_catalog()
    assert check_config(catalog.get("Dropout"), {"rate": 0.2, "noise_shape": [None, 1, 1, 1]}) == []
    assert check_config(catalog.get("Conv2D"), {"filters": 2, "kernel_size": [None, 3]}) == [
        "kernel_size must be a whole number or a list of them, got [null, 3]"
    ]
