"""Where a layer goes in the palette and what input it is shown with, by rule.

Keras files its layers by kind (`keras.src.layers.pooling.max_pooling2d`) and
names them by rank (`Conv1D`, `Conv2D`, `Conv3D`), so a few rules on module
and name place almost every layer and give it an input it accepts. The
exceptions sit in `overrides`, which these rules consult first.
"""

from __future__ import annotations

import re

from netbuilder.catalog import overrides

# Keras' module folder → palette group.
_MODULE_CATEGORIES = {
    "core": "Core",
    "convolutional": "Convolution",
    "pooling": "Pooling",
    "rnn": "Recurrent",
    "attention": "Attention",
    "merging": "Merge",
    "normalization": "Normalization",
    "regularization": "Regularization",
    "reshaping": "Reshaping",
    "activations": "Activation",
    "image_preprocessing": "Image preprocessing",
    "preprocessing": "Preprocessing",
}

# Palette order: what users reach for most first; groups not listed follow alphabetically.
CATEGORY_ORDER = [
    "Core", "Convolution", "Pooling", "Recurrent", "Attention", "Merge", "Normalization",
    "Regularization", "Reshaping", "Activation", "Embedding", "Wrappers", "Preprocessing",
    "Image preprocessing", "Image augmentation", "Audio preprocessing", "Other",
]

_IMAGE = [8, 8, 3]
_SEQUENCE = [5, 4]  # (timesteps, features)
_RANK_SHAPES = {"1": [6, 4], "2": _IMAGE, "3": [4, 4, 4, 2]}
_RANK = re.compile(r"([123])D(Transpose)?$")  # Conv2D, Conv2DTranspose, MaxPooling3D


def category_for(name: str, module: str) -> str:
    """The palette group of layer class `name` defined in `module`."""
    if name in overrides.CATEGORIES:
        return overrides.CATEGORIES[name]
    parts = module.split(".")
    if "image_preprocessing" in parts and name.startswith("Random"):
        return "Image augmentation"
    for part in reversed(parts):
        if part in _MODULE_CATEGORIES:
            return _MODULE_CATEGORIES[part]
    return "Other"


def example_inputs_for(name: str, module: str, category: str,
                       arity: int) -> tuple[list[list[int]], str]:
    """Input shapes (without the batch axis) and dtype the layer accepts, one per input."""
    if name in overrides.EXAMPLE_INPUTS:
        shapes, dtype = overrides.EXAMPLE_INPUTS[name]
        return [list(s) for s in shapes], dtype
    if category in ("Image preprocessing", "Image augmentation"):
        shape = _IMAGE
    elif category == "Attention":
        shape = [5, 8]
    elif rank := _RANK.search(name):
        shape = _RANK_SHAPES[rank.group(1)]
    elif "rnn" in module.split("."):
        shape = _SEQUENCE
    else:
        shape = [8]
    return [list(shape) for _ in range(max(arity, 1))], "float32"
