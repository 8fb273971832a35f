"""The categories a model tells apart in each of its text inputs: the vocabulary of the `StringLookup` reading it.

A model with a preprocessing block takes each categorical column as raw text
and looks it up itself, so what it knows is its own lookup's vocabulary (the
user may have edited it in the block), not the loader's one-hot categories,
which such a model does not use. `columns.json` lists these, so a client can
tell which values the model knows before it sends a request.
"""

from __future__ import annotations

from typing import Any

import keras


def lookup_categories(model: keras.Model) -> dict[str, list[str]]:
    """Model input name → the vocabulary (special tokens left out) of the `StringLookup` that reads that
    input as it comes in, inside nested sub-models too; an input read otherwise, or by several layers,
    is left out."""
    found = {}
    for tensor in model.inputs:
        lookup = _reader(model, tensor)
        if lookup is not None:
            found[tensor.name] = [_text(v) for v in lookup.get_vocabulary(include_special_tokens=False)]
    return found


def _reader(model: keras.Model, tensor: Any) -> Any:
    readers = [(layer, node) for layer in model.layers for node in layer._inbound_nodes
               if any(t is tensor for t in node.input_tensors)]
    if len(readers) != 1:
        return None
    layer, node = readers[0]
    if type(layer).__name__ == "StringLookup":
        return layer
    if isinstance(layer, keras.Model) and len(node.input_tensors) == len(layer.inputs):
        # A sub-model's call passes its arguments in the order of its Inputs.
        position = next(i for i, t in enumerate(node.input_tensors) if t is tensor)
        return _reader(layer, layer.inputs[position])
    return None


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
