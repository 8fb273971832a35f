"""A trained model behind a front that takes raw CSV columns, one input per column, named after it.

A model trained on a CSV takes the loader's encoded matrix (`features: (None, 12)`),
which no client can build without netbuilder. `raw_input_model` puts in front
of it one `keras.Input` per raw column — numbers as float32, text as
`tf.string`, each of shape `(None,)` so a TF Serving instance is one plain
row — and encodes them as the loader does: numbers as they are, text one-hot
over the encoder's own categories in their order (`OneHotCategories`), the
pieces concatenated in each input's column order. The categories and that
order come from `CsvFeatures`, i.e. from the loader's encoders; nothing here
decides them.

Each input is named after its column; a column name TensorFlow cannot take
as a signature input (`total bill`, `class`) gets the key `signature_names`
maps it to (`total_bill`, `class_`), and `columns.json` lists both.

A model with its own preprocessing block already takes one raw column per
Input (dtype string for text, `RawTextColumn`; shape `(1,)`): its front only
reshapes each `(None,)` request tensor to `(None, 1)`, encoding nothing twice,
and takes the surrounding spaces off text cells (`StrippedText`), as the
loader does before training, so `"Yes "` gets the answer `"Yes"` gets.

A category the training files never held (or an empty cell) is encoded as
all zeros: the model then sees "none of the known values", the encoding a
one-hot gives a value it has no column for, instead of refusing a row a
server cannot send back for fixing.
"""

from __future__ import annotations

from typing import Any

import keras

from netbuilder.export.signature_names import signature_keys
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.model_io import model_arguments, model_output_names
from netbuilder.training.datasets.csv_columns import OneHotColumn, RawTextColumn
from netbuilder.training.datasets.csv_features import CsvFeatures
UNKNOWN_CATEGORIES = "a text value not seen in training (or an empty cell) is encoded as all zeros"
# Joins a column's key to the name of the layer that encodes it: no key holds it, so no layer takes an input's name.
FRONT = ">"


class OneHotCategories(keras.layers.Layer):
    """Text cells → one float per category (1 where the cell, without surrounding spaces, is it);
    a value among none of `categories` gives all zeros."""

    def __init__(self, categories: list[str] | tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.categories = tuple(categories)  # a list would be tracked as if it could hold layers

    def call(self, cells: Any) -> Any:
        import tensorflow as tf

        stripped = tf.strings.strip(cells)  # as `category_of` does for the loader
        found = tf.equal(tf.expand_dims(stripped, -1), tf.constant(self.categories, dtype=tf.string))
        return tf.cast(found, self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (*input_shape, len(self.categories))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "categories": list(self.categories)}


class StrippedText(keras.layers.Layer):
    """Text cells `(None,)` → the same cells without surrounding spaces, `(None, 1)`: a cell as the loader
    gave it to the model in training (`category_of`)."""

    def call(self, cells: Any) -> Any:
        import tensorflow as tf

        return tf.expand_dims(tf.strings.strip(cells), -1)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (*input_shape, 1)


def raw_input_model(model: keras.Model, features: CsvFeatures) -> keras.Model:
    """`model` behind raw-column inputs; outputs keep `model`'s served names (`model_output_names`).

    Raises:
        BridgeError: columns that encode to another width than the model's input takes (the graph
            changed since the dataset was chosen), or a column named like a layer of the model.
    """
    keys = input_keys(features)
    raw = {c: keras.Input(shape=(), dtype=features.encoders[c].raw_dtype, name=keys[c]) for c in features.columns}
    encoded = {c: _encoded(raw[c], features.encoders[c], keys[c]) for c in features.columns}
    arguments = []
    for tensor in model.inputs:
        columns = features.inputs.get(tensor.name)
        if columns is None:
            raise BridgeError([f"no columns of {features.source_name} feed input '{tensor.name}'"])
        width = sum(int(encoded[c].shape[-1]) for c in columns)
        if tuple(tensor.shape[1:]) != (width,):
            raise BridgeError([f"input '{tensor.name}' takes {tuple(tensor.shape[1:])}, but its columns of "
                               f"{features.source_name} encode to {width} values; the graph or the data changed since training"])
        pieces = [encoded[c] for c in columns]
        arguments.append(pieces[0] if len(pieces) == 1
                         else keras.layers.Concatenate(axis=-1, name=f"{tensor.name}{FRONT}columns")(pieces))
    result = model(model_arguments(model, arguments))
    outputs = dict(zip(model_output_names(model), keras.tree.flatten(result)))
    try:
        # A list, not a dict, so the signature lists the columns in the file's order; calls may still pass a dict.
        return keras.Model(inputs=list(raw.values()), outputs=outputs, name=f"{model.name}_raw_rows")
    except ValueError as exc:  # a column named like a layer of the front ("reshape") or the model itself
        raise BridgeError([f"cannot put inputs named after the columns of {features.source_name} in front of the "
                           f"model: {str(exc).splitlines()[0]}"]) from None


def input_keys(features: CsvFeatures) -> dict[str, str]:
    """Column → the name of its input (and signature key): the column's own name where TensorFlow takes it."""
    return dict(zip(features.columns, signature_keys(features.columns)))


def by_input(features: CsvFeatures, values: dict[str, Any]) -> dict[str, Any]:
    """Values keyed by column, keyed by the raw model's input names instead."""
    keys = input_keys(features)
    return {keys[column]: value for column, value in values.items() if column in keys}


def columns_document(features: CsvFeatures, lookups: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """`columns.json`: the columns a raw request holds, in order: each column's name, the signature
    input it goes to, its dtype (and categories: the loader's one-hot ones, or for a column the model looks
    up itself, the vocabulary `lookups` gives for the model input it feeds)."""
    own = {columns[0]: lookups[name] for name, columns in features.inputs.items()
           if lookups and name in lookups and len(columns) == 1}
    columns = []
    keys = input_keys(features)
    for name in features.columns:
        encoder = features.encoders[name]
        entry: dict[str, Any] = {"name": name, "input": keys[name], "dtype": encoder.raw_dtype}
        if isinstance(encoder, OneHotColumn):
            entry["categories"] = list(encoder.categories)
        elif isinstance(encoder, RawTextColumn) and name in own:
            entry["categories"] = own[name]
        columns.append(entry)
    return {"columns": columns, "inputs": {k: list(v) for k, v in features.inputs.items()},
            "targets": {k: list(v) for k, v in features.targets.items()}, "task": features.task,
            "class_names": features.class_names, "unknown_categories": UNKNOWN_CATEGORIES,
            "dataset": features.source_name}


def _encoded(raw: Any, encoder: Any, key: str) -> Any:
    if isinstance(encoder, OneHotColumn):
        return OneHotCategories(encoder.categories, name=f"{key}{FRONT}one_hot")(raw)
    if isinstance(encoder, RawTextColumn):  # the model's own lookup encodes it
        return StrippedText(name=f"{key}{FRONT}text")(raw)
    return keras.layers.Reshape((1,), name=f"{key}{FRONT}number")(raw)
