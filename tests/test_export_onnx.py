"""ONNX export, checked with a runtime nobody here wrote: onnxruntime answers like the Keras model."""

import numpy as np
import onnxruntime
import pytest

from helpers import EXAMPLES
from netbuilder import resources
from netbuilder.cli import main
from netbuilder.graph.project_file import load
from netbuilder.keras_bridge.build import build_model
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.export.onnx_export import export_onnx


# Examples whose Input takes raw text: onnxruntime has no kernels for the string ops of TextVectorization.
TEXT_EXAMPLES = ["language_id"]


@pytest.mark.parametrize("name", [n for n in resources.example_names() if n not in TEXT_EXAMPLES])
def test_every_example_answers_alike_under_onnxruntime(name, tmp_path):
    model = build_model(load(resources.example_path(name))).model
    result = export_onnx(model, tmp_path / f"{name}.onnx")
    assert result.verified, result.max_difference
    # Read back by onnxruntime on its own, fed by the input names the file declares.
    session = onnxruntime.InferenceSession(str(result.path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(1)
    feed = {i.name: rng.random([2 if d is None or isinstance(d, str) else d for d in i.shape]).astype(np.float32)
            for i in session.get_inputs()}
    assert [i.name for i in session.get_inputs()] == result.inputs
    served = dict(zip([o.name for o in session.get_outputs()], session.run(None, feed)))
    expected = model([feed[k] for k in result.inputs] if len(result.inputs) > 1 else feed[result.inputs[0]])
    for out_name, value in zip(result.outputs, [expected] if not isinstance(expected, (list, dict)) else
                               (expected.values() if isinstance(expected, dict) else expected)):
        np.testing.assert_allclose(served[out_name], np.asarray(value), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", TEXT_EXAMPLES)
def test_a_text_example_is_refused_naming_the_string_op_and_its_layer_and_no_file_is_left(name, tmp_path):
    model = build_model(load(resources.example_path(name))).model
    with pytest.raises(BridgeError, match=r"no kernel for the op \w+ of layer words \(TextVectorization\)"):
        export_onnx(model, tmp_path / f"{name}.onnx")
    assert not list(tmp_path.iterdir())


def test_the_command_line_writes_and_checks_an_onnx_file(tmp_path, capsys):
    out = tmp_path / "wide.onnx"
    assert main(["export", str(EXAMPLES / "wide_and_deep.nbproj"), "--format", "onnx", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert out.exists() and "verified: run with onnxruntime" in said and "inputs wide, deep" in said
    assert not list(tmp_path.glob(".*"))  # written under a temporary name, renamed


def test_a_file_not_ending_in_onnx_is_refused_before_anything_is_converted(tmp_path):
    model = build_model(load(EXAMPLES / "mlp_128_10.nbproj")).model
    with pytest.raises(BridgeError, match="must end in .onnx"):
        export_onnx(model, tmp_path / "model.bin")
