"""Serving raw text: the SavedModel of a model trained on a folder of text files takes the documents themselves.

Such a model starts with its own `TextVectorization` (adapted on the training
split), so its Input already takes one raw string per document and the
SavedModel's `serving_default` is the model as it is: `tf.string`, named
after the Input, shape `(None, 1)` (or `(None,)` for an Input of shape `()`).
What a client also needs goes into the version folder: `example_request.json`
(real documents of the dataset in TF Serving's REST `{"instances": [...]}`
form, ready for `curl -d @example_request.json`) and `classes.json` (the class
each output probability stands for). The reload check feeds those documents.
`netbuilder predict` runs the same model on the same kind of batch
(`document_batch`), so both answer alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import keras
import numpy as np

from netbuilder.export.savedmodel import SavedModelExport, export_savedmodel
from netbuilder.export.signature_names import signature_keys
from netbuilder.export.vocabulary_check import check_vocabularies
from netbuilder.graph import Project
from netbuilder.keras_bridge.model_io import model_output_names
from netbuilder.training.datasets.source import dataset_kind, source_path
from netbuilder.training.datasets.spec import DatasetSpec
from netbuilder.training.datasets.text_folder import example_documents, text_classes

EXAMPLE_FILE, CLASSES_FILE = "example_request.json", "classes.json"
EXAMPLE_INSTANCES = 3
PREDICT_BATCH = 256  # documents per call: memory stays flat for any number of them


@dataclass(frozen=True)
class TextFeatures:
    """What a model trained on a text folder takes (one raw string per document on its only Input) and the
    class names its output scores; `examples` are real documents of the dataset."""

    class_names: list[str]
    examples: list[str]
    task: Literal["classification"] = "classification"


def trained_text(project: Project, model: keras.Model, run: Path | None) -> TextFeatures | None:
    """How `model`'s weights saw text; None when the dataset they were trained on is no text folder.

    Raises:
        DatasetError: the folder is gone or holds no text files, named as the loader names it.
    """
    from netbuilder.export.raw_serving import _run_record

    record = _run_record(run) if run is not None else {}
    dataset = record.get("dataset") if isinstance(record.get("dataset"), dict) else project.sections.get("dataset")
    if dataset is None or len(model.inputs) != 1 or model.inputs[0].dtype != "string":
        return None
    base_dir = project.path.parent if project.path is not None else None
    spec = DatasetSpec.from_section(dataset)
    if dataset_kind(spec, base_dir) != "text":
        return None
    path = source_path(spec, base_dir)
    return TextFeatures(text_classes(path), example_documents(path, EXAMPLE_INSTANCES))


def export_text_savedmodel(model: keras.Model, text: TextFeatures, out: Path, *,
                           now: datetime | None = None) -> SavedModelExport:
    """Write `model` as a new version under `out` with `example_request.json` and `classes.json`,
    checked on real documents."""
    files = {EXAMPLE_FILE: json.dumps(example_request(model, text.examples), indent=2, ensure_ascii=False) + "\n",
             CLASSES_FILE: json.dumps({name: text.class_names for name in model_output_names(model)}, indent=2,
                                      ensure_ascii=False) + "\n"}
    return export_savedmodel(model, out, now=now, sample=document_batch(model, text.examples), extra_files=files)


def example_request(model: keras.Model, documents: list[str]) -> dict[str, Any]:
    """A TF Serving REST request (row format): one instance per document, keyed by the signature's input."""
    key = signature_keys([model.inputs[0].name])[0]
    rank = len(model.inputs[0].shape)
    return {"instances": [{key: [doc] if rank == 2 else doc} for doc in documents]}


def document_batch(model: keras.Model, documents: list[str]) -> dict[str, np.ndarray]:
    """Documents as the model's only Input takes them: an object array of str, `(n, 1)` or `(n,)`."""
    values = np.array(documents, dtype=object)
    if len(model.inputs[0].shape) == 2:
        values = values.reshape(len(documents), 1)
    return {model.inputs[0].name: values}


def predict_documents(model: keras.Model, documents: list[str]) -> dict[str, np.ndarray]:
    """Output name → (documents, values per document), a batch of documents at a time."""
    import tensorflow as tf

    check_vocabularies(model)
    names = model_output_names(model)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for start in range(0, len(documents), PREDICT_BATCH):
        batch = document_batch(model, documents[start:start + PREDICT_BATCH])
        result = keras.tree.flatten(model(tf.constant(next(iter(batch.values()))), training=False))
        for name, values in zip(names, result):
            parts[name].append(np.asarray(values))
    return {name: np.concatenate(chunks).reshape(len(documents), -1) for name, chunks in parts.items()}
