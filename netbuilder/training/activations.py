"""What every layer of a project outputs for one sample, as small pictures the canvas can show.

One Keras model returns every main-graph node's output at once (a sub-model
node is shown by its output), so a preview costs one forward pass. Each
output becomes a `Picture`: feature maps as a grid of tiles (one per
channel), vectors as a strip (a histogram when long), sequences as a heat
map, integer tokens and strings as text. Pictures are plain uint8 arrays
built here, off the GUI thread, so the GUI only wraps them in images. The
probe's weights can be refreshed from a model being trained (same project,
same variable paths), which is how previews follow training epoch by epoch.
It lives in `training`, not `keras_bridge`, because its samples come from the
project's dataset (`training.datasets`), and keras_bridge sits below training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from netbuilder.catalog import Catalog
from netbuilder.graph import Project
from netbuilder.keras_bridge.checks import ProjectChecker
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.weights import load_weights
from netbuilder.training.datasets.image_loader import check_image_file, damaged_image
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

STRIP_LONGEST = 64  # a longer vector reads better as a histogram of its values
HISTOGRAM_BINS = 24
# keras.layers' augmentations that do not start with "Random".
AUGMENTATIONS = {"AugMix", "RandAugment", "CutMix", "MixUp", "Solarization"}
CARD_PIXELS = 96  # a card's picture fits this many pixels each way (more for the large view)


@dataclass
class Picture:
    """One layer's output drawn small: `pixels` (uint8, 0 = lowest value) or `text`."""

    kind: str  # "grid", "strip", "histogram", "heatmap" or "text"
    shape: tuple[int, ...]  # the output's shape for this sample (no batch dimension)
    pixels: np.ndarray | None = None
    tiles: int = 0  # grid: how many feature maps it holds
    columns: int = 0  # grid: tiles per row
    text: str = ""
    low: float = 0.0
    high: float = 0.0


class ActivationProbe:
    """A project's model plus one model that returns every main-graph node's output."""

    def __init__(self, project: Project, catalog: Catalog | None = None, *, with_weights: bool = True) -> None:
        """Build from `project` (its saved weights loaded with `with_weights`); BridgeError when it has problems."""
        checker = ProjectChecker(project, catalog)
        report = checker.check(build_model=True)
        if report.problems or report.model is None:
            raise BridgeError(report.problems or ["the graph did not produce a model"])
        path = project.weights_path
        if with_weights and path is not None and path.exists():
            load_weights(path, checker.node_layers())
        self.project = project
        self.checker = checker
        graph = project.graph
        order = graph.topological_order() or [n.id for n in graph.nodes]
        self.node_ids = [nid for nid in order if nid in report.results and report.results[nid].outputs]
        self.input_ids = graph.input_ids()
        ins = [report.results[nid].outputs[0] for nid in self.input_ids]  # type: ignore[index]
        outs = [report.results[nid].outputs[0] for nid in self.node_ids]  # type: ignore[index]
        self.model = report.model
        self.input_names = [t.name for t in ins]
        self.probe = keras.Model(ins, outs)
        self._paths = {v.path: v for v in self.probe.weights}

    def take_weights(self, trained: Any) -> bool:
        """Copy `trained`'s weights (a model of the same project) into the probe; False when they differ."""
        values = [(self._paths.get(v.path), v) for v in trained.weights]
        if any(mine is None or tuple(mine.shape) != tuple(v.shape) for mine, v in values):
            return False
        for mine, v in values:
            mine.assign(np.asarray(v))
        return True

    def outputs(self, sample: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Every node's output for one sample (keyed by input name, no batch dimension), by node id."""
        missing = [name for name in self.input_names if name not in sample]
        if missing:
            raise BridgeError([f"the sample has no value for the input '{missing[0]}'"])
        batch = [np.asarray(sample[name])[None] for name in self.input_names]
        values = self.probe.predict_on_batch(batch if len(batch) > 1 else batch[0])
        if not isinstance(values, (list, tuple)):
            values = [values]
        return {nid: np.asarray(v)[0] for nid, v in zip(self.node_ids, values)}

    def pictures(self, sample: dict[str, np.ndarray], pixels: int = CARD_PIXELS) -> dict[str, Picture]:
        """Every node's output for `sample`, drawn to fit `pixels` each way."""
        return {nid: picture(value, pixels) for nid, value in self.outputs(sample).items()}


def augmentation_layers(probe: ActivationProbe) -> list[Any]:
    """The project's augmentation layers (main graph first, then each sub-model), in the order data meets them."""
    project, layers = probe.project, []
    for scope, graph in [("", project.graph), *project.submodels.items()]:
        for nid in graph.topological_order() or [n.id for n in graph.nodes]:
            node = graph.node(nid)
            if node.layer.startswith("Random") or node.layer in AUGMENTATIONS:
                layer = probe.checker.tracer.layer_of(scope, nid)
                if layer is not None:
                    layers.append(layer)
    return layers


def augmented(probe: ActivationProbe, sample: dict[str, np.ndarray], count: int) -> list[np.ndarray]:
    """`count` copies of the sample's first input, each through every augmentation layer with `training=True`.

    Each copy is a uint8 image (height, width, channels), all scaled by one range so they compare.
    """
    layers = augmentation_layers(probe)
    image = np.asarray(sample[probe.input_names[0]], np.float32)
    batch = np.repeat(image[None], count, axis=0)  # one call: each row gets its own random draw
    for layer in layers:
        batch = layer(batch, training=True)
    values = np.nan_to_num(np.asarray(batch, np.float32))
    low, high = float(values.min()), float(values.max())
    scaled = _scaled(values, low, high)
    return [scaled[i] if scaled.ndim == 4 else scaled[i][..., None] for i in range(count)]


def dataset_samples(probe: ActivationProbe, spec: DatasetSpec, base_dir: Path | None, count: int = 8,
                    ) -> list[dict[str, np.ndarray]]:
    """The first `count` validation rows or images of the dataset (training ones when none is held out).

    A big dataset is streamed by `load_dataset`, which keeps a sample of each split in memory: that is
    what is taken here, so nothing is read twice. Raises DatasetError naming the file and the culprit.
    """
    from netbuilder.training.datasets import load_dataset

    outputs = list(probe.model.output_names)
    data = load_dataset(spec, base_dir, input_names=probe.input_names, output_names=outputs)
    split = data.validation if data.validation is not None and len(data.validation) else data.train
    rows = min(count, len(split))
    return [{name: np.asarray(split.features[name][i]) for name in probe.input_names if name in split.features}
            for i in range(rows)]


def image_sample(probe: ActivationProbe, path: Path) -> dict[str, np.ndarray]:
    """`path` decoded and resized to the first input's height, width and channels (pixel values 0-255)."""
    import tensorflow as tf

    shape = tuple(probe.probe.inputs[0].shape[1:])
    if len(shape) != 3 or None in shape[:2] or shape[2] not in (1, 3, 4):
        raise DatasetError(f"{path.name}: the model's input '{probe.input_names[0]}' takes {shape}, not images")
    check_image_file(path.parent, path)
    problem = damaged_image(path.parent, [path], int(shape[2]))
    if problem:
        raise DatasetError(problem)
    image = tf.io.decode_image(tf.io.read_file(str(path)), channels=int(shape[2]), expand_animations=False)
    resized = tf.image.resize(image, shape[:2]).numpy().astype(np.float32)
    return {probe.input_names[0]: resized}


def typed_sample(probe: ActivationProbe, text: str) -> dict[str, np.ndarray]:
    """Numbers typed by the user (commas or spaces between them) as the first input's values."""
    shape = tuple(probe.probe.inputs[0].shape[1:])
    try:
        values = np.array([float(word) for word in text.replace(",", " ").split()], np.float32)
    except ValueError as exc:
        raise DatasetError(f"the typed sample is not a list of numbers ({exc})") from None
    wanted = math.prod(int(d or 1) for d in shape)
    if values.size != wanted:
        raise DatasetError(f"the typed sample has {values.size} numbers; the input "
                           f"'{probe.input_names[0]}' takes {wanted} (shape {shape})")
    return {probe.input_names[0]: values.reshape([int(d or 1) for d in shape])}


def picture(value: np.ndarray, pixels: int = CARD_PIXELS) -> Picture:
    """`value` (one sample's output) as the picture its rank and dtype call for."""
    shape = tuple(int(d) for d in value.shape)
    if value.dtype.kind in "OSU" or (value.dtype.kind in "iu" and value.ndim <= 1):
        flat = value.reshape(-1)[:32]
        words = [v.decode(errors="replace") if isinstance(v, bytes) else str(v) for v in flat]
        return Picture("text", shape, text=" ".join(words) + (" …" if value.size > 32 else ""))
    value = np.nan_to_num(value.astype(np.float32, copy=False))
    low, high = (float(value.min()), float(value.max())) if value.size else (0.0, 0.0)
    if value.ndim == 0:
        return Picture("text", shape, text=f"{float(value):.4g}", low=low, high=high)
    if value.ndim == 1:
        if value.size <= STRIP_LONGEST:
            return Picture("strip", shape, pixels=_scaled(value[None, :], low, high), low=low, high=high)
        counts, _ = np.histogram(value, bins=HISTOGRAM_BINS, range=(low, high) if high > low else None)
        return Picture("histogram", shape, pixels=_bars(counts), low=low, high=high)
    if value.ndim == 2:
        step = max(1, math.ceil(max(value.shape) / pixels))
        return Picture("heatmap", shape, pixels=_scaled(value[::step, ::step].T, low, high), low=low, high=high)
    maps = value.reshape(value.shape[0], value.shape[1], -1)  # deeper volumes: their trailing axes as channels
    grid, columns = _grid(maps, pixels)
    return Picture("grid", shape, pixels=grid, tiles=maps.shape[2], columns=columns, low=low, high=high)


def _scaled(values: np.ndarray, low: float, high: float) -> np.ndarray:
    span = high - low
    if span <= 0:
        return np.zeros(values.shape, np.uint8)
    return ((values - low) * (255.0 / span) + 0.5).astype(np.uint8)  # + 0.5: the highest value is 255


def _bars(counts: np.ndarray, height: int = 16) -> np.ndarray:
    """A bar chart: column i filled (255) up to its share of the tallest count."""
    tallest = max(int(counts.max()), 1)
    levels = np.ceil(counts * (height / tallest)).astype(int)
    rows = np.arange(height)[::-1, None]
    return np.where(rows < levels[None, :], 255, 0).astype(np.uint8)


def _grid(maps: np.ndarray, pixels: int) -> tuple[np.ndarray, int]:
    """Channels as tiles (each scaled to its own range, so faint maps still show), one pixel apart."""
    height, width, count = maps.shape
    columns = math.ceil(math.sqrt(count * width / max(height, 1)))
    columns = max(1, min(count, columns))
    rows = math.ceil(count / columns)
    step = max(1, math.ceil(max(height * rows, width * columns) / pixels))  # subsample big maps first: cheap
    small = maps[::step, ::step, :]
    h, w = small.shape[:2]
    low = small.min(axis=(0, 1))
    span = small.max(axis=(0, 1)) - low
    scaled = (small - low) * np.where(span > 0, 255.0 / np.where(span > 0, span, 1), 0) + 0.5
    tiles = np.zeros((rows * columns, h + 1, w + 1), np.uint8)
    tiles[:count, :h, :w] = np.moveaxis(scaled, 2, 0).astype(np.uint8)
    grid = tiles.reshape(rows, columns, h + 1, w + 1).transpose(0, 2, 1, 3).reshape(rows * (h + 1), columns * (w + 1))
    return np.ascontiguousarray(grid[:-1, :-1]), columns
