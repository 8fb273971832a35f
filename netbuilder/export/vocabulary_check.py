"""Refusing, by layer name, a model whose text layers have learnt no vocabulary yet.

A `TextVectorization` or `StringLookup` left to learn its vocabulary from data
(no `vocabulary` in its config) has no lookup table until training adapts it;
called before that, TensorFlow fails deep inside with "Table not initialized".
Exports and predictions ask here first, so the user reads which layer is
empty and what gives it a vocabulary instead.
"""

from __future__ import annotations

from typing import Any

from netbuilder.keras_bridge.errors import BridgeError

VOCABULARY_LAYERS = ("TextVectorization", "StringLookup")


def check_vocabularies(model: Any) -> None:
    """Raise BridgeError naming every text layer of `model` (nested ones too) that has no vocabulary."""
    layers = list(model._flatten_layers(include_self=False))
    inner = {id(layer._lookup_layer) for layer in layers if type(layer).__name__ == "TextVectorization"}
    empty = [f"'{layer.name}' ({type(layer).__name__})" for layer in layers
             if type(layer).__name__ in VOCABULARY_LAYERS and id(layer) not in inner and not _has_vocabulary(layer)]
    if empty:
        which = f"layer {empty[0]} has" if len(empty) == 1 else f"layers {', '.join(empty)} have"
        raise BridgeError([f"{which} no vocabulary yet, so the model cannot read text: train it first (training "
                           "learns the vocabulary from the training split) and use that run (--run), or give "
                           f"the layer{'s' if len(empty) > 1 else ''} a vocabulary"])


def _has_vocabulary(layer: Any) -> bool:
    """Whether the lookup holds more than its special tokens (the out-of-vocabulary and mask ones)."""
    lookup = layer._lookup_layer if type(layer).__name__ == "TextVectorization" else layer
    specials = int(lookup.num_oov_indices) + (lookup.mask_token is not None)
    return lookup.input_vocabulary is not None or lookup.vocabulary_size() > specials
