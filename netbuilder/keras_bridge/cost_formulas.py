"""Closed-form FLOPs and MACs per sample of the common Keras layers, as TensorFlow's profiler counts them.

Each formula reproduces what the profiler's registry (`flops_registry.py`,
`nn_ops.py`) gives the ops Keras' TensorFlow backend emits for that layer in
inference, so `layer_cost` can skip tracing them (a formula costs
microseconds, a trace tens of milliseconds); `tests/test_layer_cost.py`
checks each against `cost_trace.traced_cost`. How the profiler counts:

- MatMul / BatchMatMul / Conv1D-3D: 2 FLOPs per multiply-accumulate (output
  elements × kernel window × input channels per group); DepthwiseConv: output
  elements × kernel window × 2; a transposed convolution (Conv2DBackpropInput)
  2 × output elements × kernel window × input channels / stride product.
- BiasAdd, Add, Sub, Mul, RealDiv, Maximum, Minimum: 1 per output element; Rsqrt
  2; Softmax 5; Mean 1 per input element.
- MaxPool, AvgPool (1D and 2D): kernel area × output elements; the 3D pools,
  Max (global max pooling), Relu, Relu6, Sigmoid, Tanh, Elu, LeakyRelu,
  ConcatV2, Pad, Reshape have no statistic and count 0.
- Inference BatchNormalization: Rsqrt(variance + ε) × γ, then x·a + (β − mean·a):
  2 per element plus 6 per channel. Activations: swish 2 per element (Keras'
  custom-gradient form has two Mul ops), hard_sigmoid 2 (AddV2, RealDiv),
  gelu 4, softmax 5; Rescaling 2 (Mul and AddV2, even with no offset).
- A dilated convolution or depthwise convolution runs on a space-to-batch
  rearrangement whose spatial sizes are padded up to multiples of the rate,
  so it is counted on that padded output.

A formula returns None for a configuration it does not cover (an activation
it does not know, broadcasting merges, an unusual axis): the caller traces.
"""

from __future__ import annotations

import math
from typing import Any, Callable

Shape = tuple[int, ...]  # one sample's shape: the batch dimension dropped, unknown sizes as 1
Formula = Callable[[Any, list[Shape], list[Shape]], "tuple[int, int] | None"]

# FLOPs per output element of each activation as Keras computes it (0: its op has no profiler statistic).
ACTIVATION_FLOPS = {
    "linear": 0, "relu": 0, "relu6": 0, "sigmoid": 0, "tanh": 0, "elu": 0, "leaky_relu": 0,
    "softmax": 5, "swish": 2, "silu": 2, "hard_sigmoid": 2, "gelu": 4,
}
# Layers that only move, copy or drop data in inference: no op with a FLOPs statistic.
FREE_LAYERS = frozenset({
    "InputLayer", "Reshape", "Flatten", "Permute", "RepeatVector", "Identity", "Concatenate",
    "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
    "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
    "AlphaDropout", "ActivityRegularization", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "MaxPooling3D", "AveragePooling3D",
})


def size(shape: Shape) -> int:
    return math.prod(shape)


def formula_cost(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    """(FLOPs, MACs) per sample of `layer` called on `inputs`, or None where no formula covers it."""
    name = type(layer).__name__
    if name in FREE_LAYERS:
        return 0, 0
    formula = _FORMULAS.get(name)
    if formula is None or not inputs or not outputs:
        return None
    return formula(layer, inputs, outputs)


def _activation(layer: Any, elements: int) -> int | None:
    name = getattr(getattr(layer, "activation", None), "__name__", "linear")
    per_element = ACTIVATION_FLOPS.get(name)
    return None if per_element is None else per_element * elements


def _with_bias_and_activation(layer: Any, out: Shape, macs: int, flops: int | None = None) -> tuple[int, int] | None:
    """`macs` as 2 FLOPs each (or `flops` given), plus the bias (1 per output element) and the activation."""
    activation = _activation(layer, size(out))
    if activation is None:
        return None
    bias = size(out) if getattr(layer, "use_bias", False) else 0
    return (2 * macs if flops is None else flops) + bias + activation, macs


def _channels(layer: Any, shape: Shape) -> int:
    return shape[0] if getattr(layer, "data_format", "channels_last") == "channels_first" else shape[-1]


def _dense(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    if getattr(layer, "lora_enabled", False) or getattr(layer, "quantization_mode", None):
        return None
    out = outputs[0]
    return _with_bias_and_activation(layer, out, inputs[0][-1] * size(out))


def _conv(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    out = outputs[0]
    per_group = _channels(layer, inputs[0]) // getattr(layer, "groups", 1)
    return _with_bias_and_activation(layer, out, _dilated_size(layer, out) * math.prod(layer.kernel_size) * per_group)


def _dilated_size(layer: Any, out: Shape) -> int:
    """Output elements the convolution op computes: TensorFlow runs a dilated one on a space-to-batch
    rearrangement whose spatial sizes are padded up to multiples of the dilation rate."""
    rates = tuple(getattr(layer, "dilation_rate", ()) or ())
    if not any(rate > 1 for rate in rates):
        return size(out)
    first = getattr(layer, "data_format", "channels_last") == "channels_first"
    spatial, channels = (out[1:], out[0]) if first else (out[:-1], out[-1])
    return channels * math.prod(-(-n // rate) * rate for n, rate in zip(spatial, rates))


def _conv_transpose(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    out = outputs[0]
    conv = int(2 * size(out) * math.prod(layer.kernel_size) * _channels(layer, inputs[0]) / math.prod(layer.strides))
    return _with_bias_and_activation(layer, out, conv // 2, flops=conv)


def _depthwise(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    out = outputs[0]
    return _with_bias_and_activation(layer, out, _dilated_size(layer, out) * math.prod(layer.kernel_size))


def _separable(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    out = outputs[0]
    middle = _channels(layer, inputs[0]) * layer.depth_multiplier  # channels between the two convolutions
    depthwise = _dilated_size(layer, out) // layer.filters * middle * math.prod(layer.kernel_size)
    macs = depthwise + size(out) // layer.filters * middle * layer.filters
    return _with_bias_and_activation(layer, out, macs)


def _batch_norm(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    if not (layer.center and layer.scale) or getattr(layer, "renorm", False):
        return None
    shape = inputs[0]
    axis = layer.axis % (len(shape) + 1) - 1  # Keras' axis counts the batch dimension
    return 2 * size(shape) + 6 * shape[axis], 0


def _pool(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    return math.prod(layer.pool_size) * size(outputs[0]), 0


def _global_average(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    return size(inputs[0]), 0


def _merge(extra: int) -> Formula:
    """A merge of n same-shaped inputs: n - 1 binary ops per output element, plus `extra` (Average's division)."""
    def formula(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
        if any(shape != outputs[0] for shape in inputs):
            return None  # broadcasting: the ops Keras emits differ
        return (len(inputs) - 1 + extra) * size(outputs[0]), 0
    return formula


def _activation_layer(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    flops = _activation(layer, size(outputs[0]))
    return None if flops is None else (flops, 0)


def _relu(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    plain = not layer.negative_slope and not layer.threshold and layer.max_value in (None, 6.0)
    return (0, 0) if plain else None


def _leaky_relu(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    return 0, 0


def _softmax(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    return (5 * size(outputs[0]), 0) if layer.axis in (-1, len(inputs[0])) else None


def _rescaling(layer: Any, inputs: list[Shape], outputs: list[Shape]) -> tuple[int, int] | None:
    scalar = all(not isinstance(v, (list, tuple)) for v in (layer.scale, layer.offset))
    return (2 * size(outputs[0]), 0) if scalar else None


_FORMULAS: dict[str, Formula] = {
    "Dense": _dense,
    "Conv1D": _conv, "Conv2D": _conv, "Conv3D": _conv,
    "Conv1DTranspose": _conv_transpose, "Conv2DTranspose": _conv_transpose,
    "DepthwiseConv1D": _depthwise, "DepthwiseConv2D": _depthwise,
    "SeparableConv1D": _separable, "SeparableConv2D": _separable,
    "BatchNormalization": _batch_norm,
    "MaxPooling1D": _pool, "MaxPooling2D": _pool, "AveragePooling1D": _pool, "AveragePooling2D": _pool,
    "GlobalAveragePooling1D": _global_average, "GlobalAveragePooling2D": _global_average,
    "GlobalAveragePooling3D": _global_average,
    "Add": _merge(0), "Multiply": _merge(0), "Maximum": _merge(0), "Minimum": _merge(0), "Average": _merge(1),
    "Subtract": _merge(0),
    "Activation": _activation_layer, "ReLU": _relu, "LeakyReLU": _leaky_relu, "Softmax": _softmax,
    "Rescaling": _rescaling,
}
