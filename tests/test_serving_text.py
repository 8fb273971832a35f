"""The trained text example serves raw strings: its SavedModel takes documents as `tf.string` under the Input's
name and answers like `netbuilder predict` for clients that have only TensorFlow (saved_model_cli, a process
that cannot import netbuilder, TF Serving's example request); the .keras file carries the vocabulary, and the
TFLite and ONNX exports say which string ops they cannot run."""

import csv
import io
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

from helpers import EXAMPLES
from netbuilder.cli import main

CLASSES = ["dutch", "english", "italian", "portuguese", "spanish"]
DOCUMENTS = ["hoe gaat het met je vandaag", "the weather is very nice today", "io sono molto contento",
             "eu gosto muito de você", "¿dónde está la biblioteca?"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(project, version folder, predict's probabilities for DOCUMENTS) of one trained text example."""
    folder = tmp_path_factory.mktemp("text")
    project = folder / "language_id.nbproj"
    shutil.copy(EXAMPLES / "language_id.nbproj", project)
    assert main(["train", str(project), "--epochs", "6", "--out", str(folder / "run")]) == 0
    assert main(["export", str(project), "--run", str(folder / "run"), "--format", "savedmodel",
                 "-o", str(folder / "serving")]) == 0
    (version,) = (folder / "serving").iterdir()
    lines = folder / "documents.txt"
    lines.write_text("\n".join(DOCUMENTS[:2]) + "\n\n" + "\n".join(DOCUMENTS[2:]) + "\n", encoding="utf-8")
    out = folder / "predicted.csv"
    assert main(["predict", str(project), "--run", str(folder / "run"), "--data", str(lines), "-o", str(out)]) == 0
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [row["source"] for row in rows] == ["documents.txt:1", "documents.txt:2", "documents.txt:4",
                                               "documents.txt:5", "documents.txt:6"]  # the blank line is skipped
    assert [row["text"] for row in rows] == DOCUMENTS
    assert [row["language"] for row in rows] == CLASSES  # each sentence in its own language
    probabilities = np.array([[float(row[f"language={c}"]) for c in CLASSES] for row in rows])
    return project, version, probabilities


@pytest.mark.slow  # shares one training run and export
def test_the_signature_takes_raw_strings_named_after_the_input_and_the_folder_holds_a_real_request(served):
    import tensorflow as tf

    _, version, _ = served
    signature = tf.saved_model.load(str(version)).signatures["serving_default"]
    specs = signature.structured_input_signature[1]
    assert {name: (spec.dtype, spec.shape.as_list()) for name, spec in specs.items()} == {"text": (tf.string, [None, 1])}
    assert list(signature.structured_outputs) == ["language"]
    request = json.loads((version / "example_request.json").read_text(encoding="utf-8"))
    first = (EXAMPLES.parent / "datasets" / "languages" / "dutch" / "0000.txt").read_text(encoding="utf-8").strip()
    assert request["instances"][0] == {"text": [first]} and len(request["instances"]) == 3
    assert json.loads((version / "classes.json").read_text(encoding="utf-8")) == {"language": CLASSES}


@pytest.mark.slow  # shares one training run and export
def test_saved_model_cli_answers_like_netbuilder_predict(served):
    _, version, predicted = served
    cli = Path(sys.executable).with_name("saved_model_cli")
    done = subprocess.run([str(cli), "run", "--dir", str(version), "--tag_set", "serve", "--signature_def",
                           "serving_default", "--input_exprs", f"text={[[d] for d in DOCUMENTS]!r}"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = done.stdout.split("Result for output key language:", 1)[1]
    answered = [float(x) for x in re.findall(r"\d+\.\d*(?:e[-+]?\d+)?", result)]
    np.testing.assert_allclose(np.reshape(answered, predicted.shape), predicted, rtol=1e-5, atol=1e-6)


ISOLATED = r"""
import importlib.util, json, sys
assert importlib.util.find_spec("netbuilder") is None, "netbuilder is importable"
import tensorflow as tf
version, documents = sys.argv[1], json.loads(sys.argv[2])
serve = tf.saved_model.load(version).signatures["serving_default"]
def answer(instances):
    return serve(text=tf.constant([row["text"] for row in instances]))["language"].numpy().tolist()
request = json.load(open(version + "/example_request.json", encoding="utf-8"))
print(json.dumps({"documents": answer([{"text": [d]} for d in documents]), "example": answer(request["instances"])}))
"""


@pytest.mark.slow  # shares one training run and export
def test_tensorflow_alone_serves_raw_strings_and_its_example_request(served, tmp_path):
    project, version, predicted = served
    site = [p for p in sys.path if p.endswith("site-packages")]
    code = f"import sys; sys.path[:0] = {site!r}\n" + ISOLATED  # -I -S: TensorFlow alone, no editable netbuilder
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(version), json.dumps(DOCUMENTS)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": os.environ.get("PATH", "")})
    assert done.returncode == 0, done.stderr[-2000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(answers["documents"], predicted, rtol=1e-5, atol=1e-6)
    # The example request's documents (the first of three classes) are recognised as what they are.
    assert [CLASSES[int(np.argmax(p))] for p in answers["example"]] == CLASSES[:3]


@pytest.mark.slow  # shares one training run and export
def test_predict_takes_a_folder_of_text_files(served, tmp_path, capsys):
    project, _, predicted = served
    for i, doc in enumerate(DOCUMENTS):
        (tmp_path / "inbox" / CLASSES[i]).mkdir(parents=True)
        (tmp_path / "inbox" / CLASSES[i] / "mail.txt").write_text(doc + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["predict", str(project), "--run", str(project.parent / "run"), "--data", str(tmp_path / "inbox")]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [Path(row["source"]).parent.name for row in rows] == CLASSES
    assert [row["language"] for row in rows] == CLASSES
    np.testing.assert_allclose([[float(row[f"language={c}"]) for c in CLASSES] for row in rows], predicted,
                               rtol=1e-5, atol=1e-6)


@pytest.mark.slow  # shares one training run and export
def test_predict_names_the_line_that_is_not_utf8(served, tmp_path, capsys):
    project, _, _ = served
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"good morning\ncaf\xe9 au lait\n")
    assert main(["predict", str(project), "--run", str(project.parent / "run"), "--data", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.txt: line 2 is not UTF-8 text (byte 0xe9)" in err and "Traceback" not in err


@pytest.mark.slow  # shares one training run and export
def test_the_keras_file_carries_the_vocabulary_and_tflite_names_the_ops_it_lacks(served, tmp_path, capsys):
    project, _, predicted = served
    run = str(project.parent / "run")
    assert main(["export", str(project), "--run", run, "--format", "keras", "-o", str(tmp_path / "m.keras")]) == 0
    model = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(model(np.array([[d] for d in DOCUMENTS])), predicted, rtol=1e-5, atol=1e-6)
    capsys.readouterr()
    assert main(["export", str(project), "--run", run, "--format", "tflite", "-o", str(tmp_path / "m.tflite")]) == 0
    said = "".join(capsys.readouterr())
    assert re.search(r"layer words \(TextVectorization: [^)]*StringSplitV2[^)]*\) uses TensorFlow ops TFLite lacks",
                     said), said
    assert main(["export", str(project), "--run", run, "--format", "onnx", "-o", str(tmp_path / "m.onnx")]) == 1
    assert "no kernel for the op StaticRegexReplace of layer words (TextVectorization)" in capsys.readouterr().err
    assert not (tmp_path / "m.onnx").exists()


def test_a_model_that_never_learnt_its_vocabulary_is_refused_by_name(tmp_path, capsys):
    project = tmp_path / "language_id.nbproj"
    shutil.copy(EXAMPLES / "language_id.nbproj", project)
    documents = tmp_path / "documents.txt"
    documents.write_text("\n".join(DOCUMENTS), encoding="utf-8")
    assert main(["predict", str(project), "--data", str(documents)]) == 1
    assert main(["export", str(project), "--untrained", "--format", "savedmodel", "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.count("layer 'words' (TextVectorization) has no vocabulary yet, so the model cannot read text") == 2
    assert "Traceback" not in err and not list((tmp_path / "out").glob("*/saved_model.pb"))
