"""The costs `netbuilder analyze` prints agree with TensorFlow's own profiler and with the published figures.

Each model is imported as a project (`model_to_project`) and costed the way
the command costs a project file (`project_costs`); the reference is
`tf.compat.v1.profiler` with `float_operation()` on the Keras model traced
for batch 1, and `model.count_params()`.
"""

import keras
import pytest
import tensorflow as tf

from netbuilder.graph import project_file
from netbuilder.keras_bridge import build_model
from netbuilder.keras_bridge.cost_project import project_costs
from netbuilder.keras_bridge.importer import model_to_project
from netbuilder.keras_bridge.layer_cost import table
from netbuilder.resources import example_path


def profiler_flops(model):
    """Total FLOPs of `model` traced for batch 1, as `tf.compat.v1.profiler` counts them."""
    specs = [tf.TensorSpec((1, *x.shape[1:]), x.dtype) for x in model.inputs]
    graph = tf.function(lambda *x: model(list(x) if len(x) > 1 else x[0])).get_concrete_function(*specs).graph
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    return tf.compat.v1.profiler.profile(graph, options=options).total_float_ops


def test_the_digits_cnn_costs_what_the_profiler_counts():
    project = project_file.load(example_path("digits_cnn"))
    model = build_model(project, with_weights=False).model
    total = table(project_costs(project)).total
    assert total["flops"] == profiler_flops(model)
    assert total["params"] == model.count_params()
    assert total["flops"] >= 2 * total["macs"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("make, macs, params", [
    # The papers' "FLOPs" or "mult-adds" are multiply-accumulates. Sandler et al. 2018, Table 3
    # (MobileNetV2 1.0/224: 300 M, 3.4 M parameters; Keras' model has 3.54 M, 4% more);
    # He et al. 2016, Table 1 (ResNet-50: 3.8 G, 25.6 M); Tan & Le 2019, Table 2 (EfficientNet-B0:
    # 0.39 G, 5.3 M); Zoph et al. 2018, Table 2 (NASNet-A Mobile: 564 M, 5.3 M).
    (keras.applications.MobileNetV2, 300e6, 3.4e6),
    (keras.applications.ResNet50, 3.8e9, 25.6e6),
    (keras.applications.EfficientNetB0, 0.39e9, 5.3e6),
    (keras.applications.NASNetMobile, 564e6, 5.3e6),
], ids=["MobileNetV2", "ResNet50", "EfficientNetB0", "NASNetMobile"])
def test_keras_applications_agree_with_the_profiler_and_the_papers(make, macs, params):
    model = make(weights=None)
    project, _ = model_to_project(model)
    total = table(project_costs(project)).total
    assert total["params"] == model.count_params()
    reference = profiler_flops(model)
    assert abs(total["flops"] - reference) <= 0.02 * reference, (total["flops"], reference)
    assert abs(total["macs"] - macs) <= 0.02 * macs, total["macs"]
    assert abs(total["params"] - params) <= 0.05 * params, total["params"]
