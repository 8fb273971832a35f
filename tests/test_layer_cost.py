"""Per-layer cost: each closed-form formula gives what tracing the layer gives, and `Analysis` keeps costs
current after an edit by re-costing only the layer that changed."""

import keras
import pytest

from netbuilder.graph import SetConfig
from netbuilder.keras_bridge.checks import ProjectChecker
from netbuilder.keras_bridge.cost_formulas import formula_cost
from netbuilder.keras_bridge.cost_project import project_costs
from netbuilder.keras_bridge.cost_trace import traced_cost
from netbuilder.keras_bridge.layer_cost import Analysis, LayerCost, table
from netbuilder.graph import project_file
from netbuilder.resources import example_path

L = keras.layers

CASES = [
    (L.Dense(8), [(5,)]),
    (L.Dense(8, use_bias=False, activation="swish"), [(3, 5)]),
    (L.Dense(4, activation="softmax"), [(2, 3, 6)]),
    (L.Conv1D(4, 3, strides=2, padding="same"), [(11, 3)]),
    (L.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu"), [(11, 3)]),
    (L.Conv2D(8, 3, activation="relu"), [(10, 10, 3)]),
    (L.Conv2D(6, (3, 2), strides=(2, 1), padding="same", use_bias=False), [(9, 9, 4)]),
    (L.Conv2D(6, 3, groups=3), [(8, 8, 6)]),
    (L.Conv2D(6, 3, padding="same", dilation_rate=2), [(10, 10, 3)]),
    (L.Conv2D(4, 3, dilation_rate=(2, 3)), [(12, 13, 2)]),
    (L.Conv2D(5, 3, data_format="channels_first"), [(3, 9, 9)]),
    (L.Conv3D(4, 3, padding="same"), [(5, 5, 5, 2)]),
    (L.Conv1DTranspose(4, 3, strides=2), [(5, 3)]),
    (L.Conv2DTranspose(8, 3, strides=2, padding="same"), [(5, 5, 3)]),
    (L.Conv2DTranspose(4, (3, 3), strides=(3, 2), use_bias=False), [(4, 5, 2)]),
    (L.DepthwiseConv1D(3, depth_multiplier=2), [(10, 3)]),
    (L.DepthwiseConv2D(3, strides=2, padding="same", use_bias=False), [(10, 10, 3)]),
    (L.DepthwiseConv2D(3, depth_multiplier=2, activation="relu6"), [(7, 7, 4)]),
    (L.DepthwiseConv2D(3, dilation_rate=2), [(9, 9, 3)]),
    (L.SeparableConv2D(4, 3, dilation_rate=2), [(9, 9, 3)]),
    (L.Conv2DTranspose(4, 3, dilation_rate=2), [(5, 5, 3)]),
    (L.Conv1D(4, 3, data_format="channels_first", dilation_rate=2), [(3, 11)]),
    (L.Dense(3, activation="gelu"), [(4,)]),
    (L.MaxPooling2D(data_format="channels_first"), [(3, 8, 8)]),
    (L.AveragePooling1D(2, data_format="channels_first"), [(3, 8)]),
    (L.GlobalAveragePooling2D(data_format="channels_first"), [(3, 8, 8)]),
    (L.BatchNormalization(axis=1), [(3, 5, 5)]),
    (L.SeparableConv1D(6, 3, padding="same"), [(10, 3)]),
    (L.SeparableConv2D(8, 3, strides=2, depth_multiplier=2, use_bias=False), [(11, 11, 3)]),
    (L.BatchNormalization(), [(10, 10, 3)]),
    (L.BatchNormalization(axis=1), [(4, 6)]),
    (L.MaxPooling1D(3, strides=2), [(11, 3)]),
    (L.MaxPooling2D(), [(10, 10, 3)]),
    (L.MaxPooling2D(3, strides=2, padding="same"), [(9, 9, 2)]),
    (L.AveragePooling2D((3, 2), padding="same"), [(9, 8, 2)]),
    (L.AveragePooling1D(2), [(10, 3)]),
    (L.MaxPooling3D(), [(4, 4, 4, 2)]),
    (L.GlobalAveragePooling1D(), [(10, 3)]),
    (L.GlobalAveragePooling2D(keepdims=True), [(6, 6, 3)]),
    (L.GlobalMaxPooling2D(), [(6, 6, 3)]),
    (L.Add(), [(4, 5), (4, 5), (4, 5)]),
    (L.Subtract(), [(7,), (7,)]),
    (L.Multiply(), [(3, 3, 2), (3, 3, 2)]),
    (L.Maximum(), [(6,), (6,), (6,)]),
    (L.Minimum(), [(6,), (6,)]),
    (L.Average(), [(6,), (6,), (6,)]),
    (L.Concatenate(), [(4,), (5,)]),
    *[(L.Activation(name), [(3, 4)]) for name in ("relu", "relu6", "sigmoid", "tanh", "elu", "leaky_relu",
                                                  "softmax", "swish", "silu", "hard_sigmoid", "gelu", "linear")],
    (L.ReLU(), [(5,)]),
    (L.ReLU(6.0), [(5,)]),
    (L.LeakyReLU(0.1), [(5,)]),
    (L.Softmax(), [(3, 5)]),
    (L.Rescaling(1 / 255), [(4, 4, 3)]),
    (L.Rescaling(2.0, offset=-1.0), [(4,)]),
    (L.ZeroPadding2D(2), [(4, 4, 3)]),
    (L.Cropping2D(1), [(6, 6, 3)]),
    (L.Flatten(), [(3, 4)]),
    (L.Reshape((12,)), [(3, 4)]),
    (L.Dropout(0.5), [(5,)]),
]


def _call(layer, shapes):
    """The Keras call node of `layer` on symbolic inputs of `shapes`."""
    inputs = [keras.Input(shape) for shape in shapes]
    out = layer(inputs if len(inputs) > 1 else inputs[0])
    operation, index, _ = keras.tree.flatten(out)[0]._keras_history
    return operation._inbound_nodes[index]


@pytest.mark.parametrize("layer, shapes", CASES, ids=lambda c: type(c).__name__ if isinstance(c, L.Layer) else None)
def test_each_formula_counts_what_tracing_the_layer_counts(layer, shapes):
    call = _call(layer, shapes)
    outs = [tuple(t.shape[1:]) for t in call.output_tensors]
    formula = formula_cost(layer, list(shapes), outs)
    assert formula is not None, f"no formula for {layer.get_config()}"
    assert formula == traced_cost(call)


def test_a_layer_without_a_formula_is_costed_by_tracing_it():
    layer = L.LayerNormalization()
    call = _call(layer, [(5, 4)])
    assert formula_cost(layer, [(5, 4)], [(5, 4)]) is None
    flops, macs = traced_cost(call)
    assert flops == 200 and macs == 0  # means, squared differences, rsqrt, scale and shift: see cost_trace
    attention = L.MultiHeadAttention(2, 4)
    query = keras.Input((5, 8))
    attention(query, query)
    flops, macs = traced_cost(attention._inbound_nodes[0])
    assert macs > 0 and flops >= 2 * macs


def _sequential(*layers, shape=(8,)):
    x = inputs = keras.Input(shape)
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


def test_a_shared_layer_counts_its_weights_once_and_its_work_per_call():
    dense = L.Dense(4)
    a, b = keras.Input((3,)), keras.Input((3,))
    model = keras.Model([a, b], L.Add()([dense(a), dense(b)]))
    costs = Analysis().of_model(model)
    dense_rows = [c for c in costs if c.cls == "Dense"]
    assert [c.params for c in dense_rows] == [16, 0]
    assert [c.flops for c in dense_rows] == [28, 28]
    assert table(costs).total["params"] == model.count_params()


def test_a_nested_model_is_costed_by_its_layers():
    inner = _sequential(L.Dense(6, name="hidden"), L.Dense(2, name="out"), shape=(4,))
    x = keras.Input((4,))
    outer = keras.Model(x, L.Dense(1, name="head")(inner(x)))
    costs = Analysis().of_model(outer)
    assert [c.name for c in costs if c.cls != "InputLayer"] == [f"{inner.name}/hidden", f"{inner.name}/out", "head"]
    assert table(costs).total["params"] == outer.count_params()


def test_batch_size_and_dtype_scale_what_they_should():
    costs = [LayerCost("d", "Dense", ((10,),), params=50, trainable_params=50, macs=40, flops=90, activations=10)]
    one = table(costs).total
    assert one == {"params": 50, "trainable_params": 50, "macs": 40, "flops": 90, "weight_bytes": 200,
                   "activation_bytes": 40}
    eight = table(costs, batch_size=8, dtype="mixed_float16").total
    assert (eight["macs"], eight["flops"], eight["weight_bytes"], eight["activation_bytes"]) == (320, 720, 200, 160)
    int8 = table(costs, dtype="int8").total
    assert (int8["weight_bytes"], int8["activation_bytes"]) == (50, 10)


def test_an_edit_recosts_only_the_layers_it_changed():
    project = project_file.load(example_path("digits_cnn"))
    checker, analysis = ProjectChecker(project), Analysis()
    before = {c.name: c for c in project_costs(project, checker, analysis)}
    conv = project.graph.node("conv")
    SetConfig(project.graph, "conv", {**conv.config, "filters": 8}).redo()
    after = {c.name: c for c in project_costs(project, checker, analysis)}
    assert after["conv"].params == 80 and after["conv"].macs == before["conv"].macs // 2
    assert after["rescale"] is before["rescale"]  # upstream of the edit: kept, not recomputed
    assert after["digit"].params == 288 * 10 + 10  # downstream: its input shrank


class _EagerOnly(L.Layer):
    """A custom layer that runs only eagerly: its FLOPs cannot be traced."""

    def call(self, x):
        return x * float(x.numpy().sum())

    def compute_output_spec(self, x):
        return keras.KerasTensor(x.shape, x.dtype)


def test_a_layer_that_cannot_be_traced_is_costed_as_0_with_a_note_saying_so():
    costs = Analysis().of_model(_sequential(_EagerOnly(name="eager"), L.Dense(2, name="head"), shape=(3,)))
    eager = next(c for c in costs if c.name == "eager")
    assert (eager.flops, eager.macs) == (0, 0)
    assert "could not be counted" in eager.note
    assert next(c for c in costs if c.name == "head").flops == 2 * 3 * 2 + 2


def test_costs_kept_across_edits_match_a_fresh_analysis():
    project = project_file.load(example_path("wide_and_deep"))
    checker, analysis = ProjectChecker(project), Analysis()
    project_costs(project, checker, analysis)
    for units in (4, 64, 32):
        SetConfig(project.graph, "h1", {"units": units, "activation": "swish"}).redo()
        kept = {c.name: c for c in project_costs(project, checker, analysis)}
        assert kept == {c.name: c for c in project_costs(project)}
        assert kept["h1"].flops == 2 * 8 * units + units + 2 * units  # matmul, bias, swish
        assert kept["out"].params == 10 + units + 1
