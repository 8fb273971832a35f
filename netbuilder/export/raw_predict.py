"""Predictions for raw rows through the raw-column model that is exported, as named CSV columns.

`netbuilder predict` runs exactly what a SavedModel export serves
(`raw_inputs.raw_input_model`), so a prediction on the command line and one
from TF Serving agree. Output columns are named after the model's outputs:
`tip` for one value, `out[0]`, `out[1]`, … for several, and for a classifier
one probability per class (`species=setosa`, …) followed by the predicted
class under the output's own name. A name the input file already uses gets
`predicted_` in front, so no column is written twice. It sits in `export`
beside the serving model it goes through; it reads the training data's
columns (`training.datasets`), which keras_bridge may not.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from netbuilder.training.datasets.csv_features import CsvFeatures

PREDICT_BATCH = 1024  # rows per call: memory stays flat for any file


def predict_raw(raw: keras.Model, values: dict[str, np.ndarray], rows: int) -> dict[str, np.ndarray]:
    """Output name → (rows, values per row) for the raw inputs `values`."""
    import tensorflow as tf

    names = list(raw.output) if isinstance(raw.output, dict) else list(raw.output_names)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    for start in range(0, rows, PREDICT_BATCH):
        batch = {k: tf.constant(v[start:start + PREDICT_BATCH]) for k, v in values.items()}
        result: Any = raw(batch, training=False)
        for name in names:
            parts[name].append(np.asarray(result[name]))
    return {name: np.concatenate(chunks).reshape(rows, -1) for name, chunks in parts.items()}


def prediction_table(outputs: dict[str, np.ndarray], features: CsvFeatures,
                     taken: list[str]) -> tuple[list[str], list[list[str]]]:
    """(column names, one list of cells per row) for the predictions, named as the module says."""
    columns: list[str] = []
    cells: list[list[str]] = [[] for _ in range(len(next(iter(outputs.values()))))] if outputs else []
    classes = features.class_names if features.task == "classification" else None
    for name, values in outputs.items():
        if classes and values.shape[1] == len(classes):
            columns += [f"{name}={c}" for c in classes] + [name]
            for row, probabilities in zip(cells, values):
                row += [_number(p) for p in probabilities] + [classes[int(np.argmax(probabilities))]]
        else:
            columns += [name] if values.shape[1] == 1 else [f"{name}[{i}]" for i in range(values.shape[1])]
            for row, numbers in zip(cells, values):
                row += [_number(v) for v in numbers]
    used = set(taken)
    return [f"predicted_{c}" if c in used else c for c in columns], cells


def _number(value: Any) -> str:
    """A float32 written with the fewest digits that read back as the same float32."""
    return str(np.float32(value))
