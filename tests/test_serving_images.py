"""A SavedModel of a model trained on an image folder takes raw images: encoded files through `serving_default`,
pixel arrays of any size through `serving_arrays`, decoded and resized inside the graph as training did, answering
like the Keras model for clients that have only TensorFlow (saved_model_cli, a process that cannot import
netbuilder, TF Serving's example request)."""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from netbuilder.cli import main
from netbuilder.resources import DATASETS, example_path

DIGITS = DATASETS / "digits"
FILES = [DIGITS / "3" / "0003.png", DIGITS / "7" / "0007.png", DIGITS / "9" / "0009.png"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(version folder, trained Keras model) of the digits example trained for one epoch and exported."""
    folder = tmp_path_factory.mktemp("served")
    project = folder / "digits.nbproj"
    shutil.copy(example_path("digits_cnn"), project)
    run = folder / "digits.runs" / "20260101-093000"
    assert main(["train", str(project), "--epochs", "1", "--out", str(run)]) == 0
    assert main(["export", str(project), "--run", str(run), "--format", "savedmodel",
                 "-o", str(folder / "serving")]) == 0
    (version,) = (folder / "serving").iterdir()
    return version, keras.saving.load_model(run / "model.keras")


def expected(model, images):
    """The Keras model's answer for pixel arrays, resized to its 8×8 input as the loader resizes."""
    pixels = tf.image.resize(tf.constant(np.asarray(images, np.float32)), (8, 8), method="bilinear")
    return np.asarray(model(pixels))


def decoded(path):
    return tf.io.decode_png(path.read_bytes(), channels=1).numpy().astype(np.float32)


def bigger_png(path, size=(20, 12)):
    """The digit at another size, as a client's own photo would be."""
    big = tf.image.resize(decoded(path), size, method="nearest")
    return tf.io.encode_png(tf.cast(big, tf.uint8)).numpy(), big.numpy()


def test_the_signatures_take_image_bytes_and_any_size_arrays(served):
    version, _ = served
    loaded = tf.saved_model.load(str(version))
    specs = {name: {k: (v.dtype, v.shape.as_list()) for k, v in loaded.signatures[name].structured_input_signature[1]
                    .items()} for name in ("serving_default", "serving_arrays")}
    assert specs == {"serving_default": {"image_bytes": (tf.string, [None])},
                     "serving_arrays": {"images": (tf.float32, [None, None, None, 1])}}
    assert list(loaded.signatures["serving_default"].structured_outputs) == ["digit"]
    request = json.loads((version / "example_request.json").read_text(encoding="utf-8"))
    sent = [base64.b64decode(instance["image_bytes"]["b64"]) for instance in request["instances"]]
    assert sent == [(DIGITS / str(d) / f"{d:04d}.png").read_bytes() for d in range(3)]  # real images


def test_saved_model_cli_answers_bytes_and_arrays_like_keras(served, tmp_path):
    version, model = served
    encoded, big = bigger_png(FILES[0])
    np.save(tmp_path / "bytes.npy", np.array([f.read_bytes() for f in FILES] + [encoded]))
    np.save(tmp_path / "arrays.npy", big[np.newaxis])
    cli = Path(sys.executable).with_name("saved_model_cli")
    answers = []
    calls = (("serving_default", "image_bytes", "bytes.npy"), ("serving_arrays", "images", "arrays.npy"))
    for signature, key, file in calls:
        done = subprocess.run([str(cli), "run", "--dir", str(version), "--tag_set", "serve", "--signature_def",
                               signature, "--inputs", f"{key}={tmp_path / file}"], capture_output=True, text=True,
                              timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        assert done.returncode == 0, done.stderr[-2000:]
        result = done.stdout.split("Result for output key digit:", 1)[1]
        answers.append(np.array([float(x) for x in re.findall(r"-?\d+\.\d*(?:e[-+]?\d+)?", result)]).reshape(-1, 10))
    keras_answers = expected(model, [decoded(f) for f in FILES])
    np.testing.assert_allclose(answers[0][:3], keras_answers, atol=1e-5)
    np.testing.assert_allclose(answers[0][3], expected(model, [big])[0], atol=1e-5)  # resized, then answered
    np.testing.assert_allclose(answers[1], expected(model, [big]), atol=1e-5)
    assert list(answers[0][:3].argmax(axis=1)) == list(keras_answers.argmax(axis=1))


ISOLATED = r"""
import base64, importlib.util, json, sys
assert importlib.util.find_spec("netbuilder") is None, "netbuilder is importable"
import tensorflow as tf
version, files, size = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
loaded = tf.saved_model.load(version)
serve, arrays = loaded.signatures["serving_default"], loaded.signatures["serving_arrays"]
request = json.load(open(version + "/example_request.json"))
example = [base64.b64decode(i["image_bytes"]["b64"]) for i in request["instances"]]
photo = tf.image.resize(tf.cast(tf.io.decode_png(open(files[0], "rb").read(), channels=1), tf.float32), size)
print(json.dumps({
    "files": serve(image_bytes=tf.constant([open(f, "rb").read() for f in files]))["digit"].numpy().tolist(),
    "example": serve(image_bytes=tf.constant(example))["digit"].numpy().tolist(),
    "array": arrays(images=photo[tf.newaxis])["digit"].numpy().tolist(),
}))
"""


def test_tensorflow_alone_serves_image_files_arrays_and_the_example_request(served, tmp_path):
    """What a client without netbuilder does: load the folder with TensorFlow and send PNG files."""
    version, model = served
    site = [p for p in sys.path if p.endswith("site-packages")]
    # -I ignores PYTHONPATH and the current folder, -S the .pth files (an editable netbuilder).
    code = f"import sys; sys.path[:0] = {site!r}\n" + ISOLATED
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(version), json.dumps([str(f) for f in FILES]),
                           "[16, 24]"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": os.environ.get("PATH", "")})
    assert done.returncode == 0, done.stderr[-2000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(answers["files"], expected(model, [decoded(f) for f in FILES]), atol=1e-5)
    firsts = [DIGITS / str(d) / f"{d:04d}.png" for d in range(3)]
    np.testing.assert_allclose(answers["example"], expected(model, [decoded(f) for f in firsts]), atol=1e-5)
    photo = tf.image.resize(decoded(FILES[0]), (16, 24)).numpy()
    np.testing.assert_allclose(answers["array"], expected(model, [photo]), atol=1e-5)
