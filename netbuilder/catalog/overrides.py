"""The small hand-kept table that introspection cannot work out from Keras alone.

Everything else in the catalog is read from `keras.layers` itself. What lives
here is what Keras does not say in a machine-readable way: a value to try for
each required argument, which strings an argument accepts when Keras only says
so in prose, where a layer sits in the palette when its module does not tell,
what input it can be shown with, how many inputs it takes when `call()` hides
it behind a list, and which layers netbuilder refuses, with the reason the user
is told. Plain data only: this module imports nothing from Keras.
"""

from __future__ import annotations

from typing import Any


def _layer(class_name: str, config: dict[str, Any]) -> dict[str, Any]:
    """A nested layer in the form `keras.saving.serialize_keras_object` writes."""
    return {"module": "keras.layers", "class_name": class_name, "config": config,
            "registered_name": None}


# Layers netbuilder never offers, with the sentence the user reads when a file names one.
DENIED: dict[str, str] = {
    "Lambda": "Lambda layers carry Python code, which netbuilder never runs",
    "TFSMLayer": "TFSMLayer loads an external SavedModel from disk, which a project cannot carry",
    "JaxLayer": "JaxLayer wraps a JAX function (Python code), which netbuilder never runs",
    "FlaxLayer": "FlaxLayer wraps a Flax module (Python code), which netbuilder never runs",
    "TorchModuleWrapper": "TorchModuleWrapper wraps a PyTorch module (Python code), "
                          "which netbuilder never runs",
    "Layer": "Layer is the abstract base class of all layers; it computes nothing by itself",
    "Wrapper": "Wrapper is an abstract base class; use Bidirectional or TimeDistributed",
    "InputLayer": "InputLayer is made by Keras for each model input; use an Input node instead",
    "SimpleRNNCell": "SimpleRNNCell is a cell for a custom RNN loop, not a layer to call on "
                     "tensors; use SimpleRNN",
    "LSTMCell": "LSTMCell is a cell for a custom RNN loop, not a layer to call on tensors; "
                "use LSTM",
    "GRUCell": "GRUCell is a cell for a custom RNN loop, not a layer to call on tensors; use GRU",
    "StackedRNNCells": "StackedRNNCells combines cells for a custom RNN loop; stack LSTM or GRU "
                       "layers instead",
    "RNN": "RNN needs a cell object built in Python; use SimpleRNN, LSTM or GRU",
    "Pipeline": "Pipeline is a container of other layers; draw those layers one after another",
    "Equalization": "Equalization cannot be used in a Keras functional model: this Keras version "
                    "hands back its input tensor as its output, which Keras reports as a cycle",
    "STFTSpectrogram": "STFTSpectrogram needs SciPy to build its window, and netbuilder does not "
                       "depend on SciPy; use MelSpectrogram",
}

# Values for constructor arguments that have no default (and for the few that a
# layer's from_config() insists on): small, so every layer builds and runs fast
# in the palette preview and the per-layer tests.
SEEDS: dict[str, dict[str, Any]] = {
    "Activation": {"activation": "relu"},
    "AdaptiveAveragePooling1D": {"output_size": 2},
    "AdaptiveAveragePooling2D": {"output_size": 2},
    "AdaptiveAveragePooling3D": {"output_size": 2},
    "AdaptiveMaxPooling1D": {"output_size": 2},
    "AdaptiveMaxPooling2D": {"output_size": 2},
    "AdaptiveMaxPooling3D": {"output_size": 2},
    "AlphaDropout": {"rate": 0.1},
    "AveragePooling1D": {"pool_size": 2},
    "AveragePooling2D": {"pool_size": 2},
    "AveragePooling3D": {"pool_size": 2},
    "Bidirectional": {"layer": _layer("LSTM", {"units": 4})},
    "CategoryEncoding": {"num_tokens": 8},
    "CenterCrop": {"height": 4, "width": 4},
    "Conv1D": {"filters": 4, "kernel_size": 3},
    "Conv1DTranspose": {"filters": 4, "kernel_size": 3},
    "Conv2D": {"filters": 4, "kernel_size": 3},
    "Conv2DTranspose": {"filters": 4, "kernel_size": 3},
    "Conv3D": {"filters": 4, "kernel_size": 3},
    "Conv3DTranspose": {"filters": 4, "kernel_size": 3},
    "ConvLSTM1D": {"filters": 4, "kernel_size": 3},
    "ConvLSTM2D": {"filters": 4, "kernel_size": 3},
    "ConvLSTM3D": {"filters": 4, "kernel_size": 3},
    "Dense": {"units": 8},
    "DepthwiseConv1D": {"kernel_size": 3},
    "DepthwiseConv2D": {"kernel_size": 3},
    "Discretization": {"bin_boundaries": [0.0, 1.0, 2.0]},
    "Dot": {"axes": 1},
    "Dropout": {"rate": 0.5},
    "EinsumDense": {"equation": "ab,bc->ac", "output_shape": 8},
    "Embedding": {"input_dim": 10, "output_dim": 4},
    "GRU": {"units": 4},
    "GaussianDropout": {"rate": 0.1},
    "GaussianNoise": {"stddev": 0.1},
    "GroupQueryAttention": {"head_dim": 4, "num_query_heads": 2, "num_key_value_heads": 1},
    "HashedCrossing": {"num_bins": 8},
    "Hashing": {"num_bins": 8},
    "IntegerLookup": {"vocabulary": [1, 2, 3, 4]},
    "LSTM": {"units": 4},
    "MaxNumBoundingBoxes": {"max_number": 4},
    "MultiHeadAttention": {"num_heads": 2, "key_dim": 4},
    # Without statistics Normalization must be adapted to data first; these make it an identity.
    "Normalization": {"mean": 0.0, "variance": 1.0},
    "Permute": {"dims": [2, 1]},
    "RandomBrightness": {"factor": 0.2},
    "RandomColorDegeneration": {"factor": 0.2},
    "RandomContrast": {"factor": 0.2},
    "RandomCrop": {"height": 4, "width": 4},
    "RandomHue": {"factor": 0.2},
    "RandomPosterization": {"factor": [1, 8]},
    "RandomRotation": {"factor": 0.1},
    "RandomSaturation": {"factor": 0.2},
    "RandomSharpness": {"factor": 0.2},
    "RandomTranslation": {"height_factor": 0.1, "width_factor": 0.1},
    "RandomZoom": {"height_factor": 0.1},
    "RepeatVector": {"n": 3},
    # Rescaling.from_config() reads `offset` unconditionally.
    "Rescaling": {"scale": 1 / 255, "offset": 0.0},
    "Reshape": {"target_shape": [2, 4]},
    "Resizing": {"height": 4, "width": 4},
    "ReversibleEmbedding": {"input_dim": 10, "output_dim": 4},
    "SeparableConv1D": {"filters": 4, "kernel_size": 3},
    "SeparableConv2D": {"filters": 4, "kernel_size": 3},
    "SimpleRNN": {"units": 4},
    "SpatialDropout1D": {"rate": 0.1},
    "SpatialDropout2D": {"rate": 0.1},
    "SpatialDropout3D": {"rate": 0.1},
    "SpectralNormalization": {"layer": _layer("Dense", {"units": 4})},
    "StringLookup": {"vocabulary": ["a", "b", "c", "d"]},
    # Without a vocabulary TextVectorization must be adapted to a corpus first; its
    # from_config() reads `standardize`, `split` and `ngrams` unconditionally.
    "TextVectorization": {"vocabulary": ["a", "b", "c", "d"],
                          "standardize": "lower_and_strip_punctuation", "split": "whitespace",
                          "ngrams": None},
    "TimeDistributed": {"layer": _layer("Dense", {"units": 4})},
}

# Constructor defaults to report instead of what get_config() says, where
# get_config() reports something derived rather than chosen.
DEFAULTS: dict[str, dict[str, Any]] = {
    # get_config() reports the mirror copy of `layer` Keras made; left out, Keras makes it again.
    "Bidirectional": {"backward_layer": None},
}

# Accepted strings by argument name, for arguments Keras documents only in prose.
# Classes that list them in `_SUPPORTED_<NAME>` are read from Keras instead.
CHOICES: dict[str, list[Any]] = {
    "padding": ["valid", "same"],
    "data_format": ["channels_last", "channels_first"],
    "interpolation": ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5"],
    "fill_mode": ["reflect", "wrap", "constant", "nearest"],
    "merge_mode": ["concat", "sum", "mul", "ave", None],
    "score_mode": ["dot", "concat"],
    "implementation": [1, 2],
    "use_cudnn": ["auto", True, False],
    "oov_method": ["floormod", "farmhash"],
    "window": ["hann", "hamming", None],
}

# Per-layer choices that differ from the by-name ones above.
LAYER_CHOICES: dict[str, dict[str, list[Any]]] = {
    "Conv1D": {"padding": ["valid", "same", "causal"]},
    "RandomFlip": {"mode": ["horizontal_and_vertical", "horizontal", "vertical"]},
    "UpSampling2D": {"interpolation": ["nearest", "bilinear", "bicubic", "lanczos3", "lanczos5"]},
    "CategoryEncoding": {"output_mode": ["multi_hot", "one_hot", "count"]},
    "Hashing": {"output_mode": ["int", "one_hot", "multi_hot", "count"]},
    "HashedCrossing": {"output_mode": ["int", "one_hot"]},
    "Discretization": {"output_mode": ["int", "one_hot", "multi_hot", "count"]},
    "IntegerLookup": {"output_mode": ["int", "one_hot", "multi_hot", "count", "tf_idf"]},
    "StringLookup": {"output_mode": ["int", "one_hot", "multi_hot", "count", "tf_idf"]},
    "TextVectorization": {
        "output_mode": ["int", "multi_hot", "count", "tf_idf"],
        "standardize": ["lower_and_strip_punctuation", "lower", "strip_punctuation", None],
        "split": ["whitespace", "character", None],
    },
}

# The activations offered first in menus; the rest of keras.activations follow alphabetically.
COMMON_ACTIVATIONS: list[str] = ["relu", "sigmoid", "softmax", "tanh", "linear", "gelu",
                                 "elu", "selu", "swish"]

# Dtypes the inspector offers: Keras' tensor dtypes plus its mixed-precision policies.
DTYPES: list[str] = [
    "float32", "float16", "bfloat16", "float64", "mixed_float16", "mixed_bfloat16",
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "string",
]

# Kinds that the default value alone would get wrong: an `axis` of -1 may also be a
# list, and ranges like `value_range` may hold floats although Keras' default holds ints.
KINDS: dict[str, str] = {
    "axis": "ints",
    "axes": "ints",
    "seed": "int",
    "value_range": "any",
    "mean": "any",
    "variance": "any",
    "vocabulary": "any",  # a list of terms or the path of a vocabulary file
}

# Kinds of settings whose default is None, so the value gives no hint.
KINDS_WHEN_NONE: dict[str, str] = {
    **dict.fromkeys(["noise_shape", "output_padding", "shared_axes", "attention_axes",
                     "output_shape", "strides"], "ints"),
    **dict.fromkeys(["lora_rank", "lora_alpha", "num_bins", "sliding_window", "max_tokens",
                     "output_sequence_length"], "int"),
    "max_value": "float",
    "bias_axes": "str",
}

# Tooltips for settings that a layer's docstring leaves undocumented.
HELP: dict[str, str] = {
    "data_format": 'The ordering of the axes in the inputs: "channels_last" (the default) for '
                   '`(batch, ..., channels)` or "channels_first" for `(batch, channels, ...)`.',
    "seed": "Integer, the seed of the random generator; leave empty for a different draw each run.",
    "activity_regularizer": "Regularizer function applied to the output of the layer.",
    "vocabulary_size": "The size of the vocabulary, as Keras reports it; set by `vocabulary`.",
    "quantization_config": "Quantization settings, as Keras writes them for quantized layers.",
    "value_range": "The range of the input pixel values as `[low, high]`, e.g. `[0, 255]`.",
    "output_padding": "Integer or tuple of integers: extra size added to one side of each "
                      "spatial output dimension; leave empty to let Keras infer it.",
    "mask_value": "Timesteps whose values all equal this value are masked (skipped) by the "
                  "layers downstream.",
    "antialias": "Whether to use an anti-aliasing filter when downsampling an image.",
}

# Where Keras raises (or builds nothing) below a bound, the inspector's spin boxes stop there.
MINIMUMS: dict[str, float] = {
    **dict.fromkeys(
        ["units", "filters", "num_heads", "key_dim", "value_dim", "input_dim", "output_dim",
         "n", "num_bins", "num_tokens", "height", "width", "groups", "head_dim",
         "num_query_heads", "num_key_value_heads", "depth_multiplier", "max_number",
         "num_mel_bins", "fft_length", "sequence_length", "sequence_stride", "sampling_rate",
         "output_sequence_length", "max_tokens", "power_iterations"], 1),
    **dict.fromkeys(
        ["rate", "dropout", "recurrent_dropout", "stddev", "epsilon", "momentum", "l1", "l2",
         "negative_slope", "threshold", "max_value", "num_oov_indices"], 0),
}

# Palette groups for layers whose Keras module does not say where they belong.
CATEGORIES: dict[str, str] = {
    "Bidirectional": "Wrappers",
    "TimeDistributed": "Wrappers",
    "SpectralNormalization": "Wrappers",
    "Embedding": "Embedding",
    "ReversibleEmbedding": "Embedding",
    "MelSpectrogram": "Audio preprocessing",
    "AugMix": "Image augmentation",
    "CutMix": "Image augmentation",
    "MixUp": "Image augmentation",
    "RandAugment": "Image augmentation",
}

# Example inputs (shapes without the batch axis, dtype) where the name-based rules miss.
EXAMPLE_INPUTS: dict[str, tuple[list[list[int]], str]] = {
    "Permute": ([[5, 4]], "float32"),
    "Masking": ([[5, 4]], "float32"),
    "ConvLSTM1D": ([[3, 8, 2]], "float32"),
    "ConvLSTM2D": ([[3, 6, 6, 2]], "float32"),
    "ConvLSTM3D": ([[2, 4, 4, 4, 2]], "float32"),
    # GroupNormalization splits channels into 32 groups by default.
    "GroupNormalization": ([[32]], "float32"),
    "Embedding": ([[5]], "int32"),
    "ReversibleEmbedding": ([[5]], "int32"),
    "CategoryEncoding": ([[3]], "int32"),
    "IntegerLookup": ([[3]], "int64"),
    "StringLookup": ([[3]], "string"),
    "Hashing": ([[3]], "string"),
    "HashedCrossing": ([[1], [1]], "int64"),
    "TextVectorization": ([[1]], "string"),
    # MelSpectrogram pads each side by fft_length // 2 (1024), which must be shorter than the clip.
    "MelSpectrogram": ([[4096]], "float32"),
}

# (min_inputs, max_inputs, port names) where call()'s signature does not tell.
# Merge subclasses not listed take two or more inputs.
ARITY: dict[str, tuple[int, int | None, list[str]]] = {
    "Subtract": (2, 2, []),
    "Dot": (2, 2, []),
    "Attention": (2, 3, ["query", "value", "key"]),
    "AdditiveAttention": (2, 3, ["query", "value", "key"]),
    "MultiHeadAttention": (2, 3, ["query", "value", "key"]),
    "GroupQueryAttention": (2, 3, ["query", "value", "key"]),
    "HashedCrossing": (2, 2, []),
}

# Layers whose single `inputs` argument is a list of tensors although they are not Merge layers.
LIST_INPUT: frozenset[str] = frozenset({"Attention", "AdditiveAttention", "HashedCrossing"})
