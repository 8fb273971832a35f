"""Serving raw images: the SavedModel of a model trained on an image folder takes encoded files or any-size arrays.

A client of an image model holds PNG or JPEG files, not float arrays of the
model's exact size. So the export of such a model decodes and resizes inside
the graph, with the function training used (`image_decode`), and has two
signatures: `serving_default` takes encoded image bytes (`image_bytes`,
`tf.string`, shape `(None,)`; PNG, JPEG, GIF or BMP), `serving_arrays` takes
pixel arrays of any height and width (`images`, float32 0–255, shape
`(None, None, None, channels)`), both answering with the model's outputs by
name. The version folder also gets `example_request.json`: real images of the
dataset in TF Serving's REST `{"instances": [{"image_bytes": {"b64": …}}]}`
form, ready for `curl -d @example_request.json`. The reload check feeds those
images through both signatures and compares with the Keras model.
`netbuilder predict` calls the same bytes function (`bytes_server`).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import keras
import numpy as np

from netbuilder.graph import Project
from netbuilder.graph.atomic_file import new_folder, remove_leftovers
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.keras_bridge.model_io import model_arguments, model_output_names
from netbuilder.export.savedmodel import (
    EARLIER_PARTIAL, SIGNATURE, VERSION_LEFTOVERS, SavedModelExport, _file_error, version_folder,
)
from netbuilder.training.datasets.image_decode import decode_image, resize_images
from netbuilder.training.datasets.image_loader import CHANNELS, dataset_classes, image_files
from netbuilder.training.datasets.source import dataset_kind, source_path, validation_path
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec, images_for_input

ARRAYS_SIGNATURE = "serving_arrays"
BYTES_KEY, ARRAYS_KEY = "image_bytes", "images"
EXAMPLE_FILE = "example_request.json"
EXAMPLE_INSTANCES = 3


@dataclass(frozen=True)
class ImageFeatures:
    """What a model trained on an image folder takes: images of `image_size` with `channels`, and the
    class names its outputs score; `examples` are real files of the dataset."""

    image_size: tuple[int, int]
    channels: int
    class_names: list[str]
    examples: list[Path]
    task: Literal["classification"] = "classification"


def trained_images(project: Project, model: keras.Model, run: Path | None) -> ImageFeatures | None:
    """How `model`'s weights saw images; None when the dataset they were trained on is no image folder.

    Raises:
        DatasetError: the folder is gone or holds no images, named as the loader names it.
    """
    from netbuilder.export.raw_serving import _run_record

    record = _run_record(run) if run is not None else {}
    dataset = record.get("dataset") if isinstance(record.get("dataset"), dict) else project.sections.get("dataset")
    if dataset is None or len(model.inputs) != 1:
        return None
    base_dir = project.path.parent if project.path is not None else None
    spec = DatasetSpec.from_section(dataset)
    try:
        kind = dataset_kind(spec, base_dir)
    except DatasetError:
        return None  # no telling it was an image folder: the other kinds' exports say what is missing
    if kind != "images":
        return None
    # Training fits the images to the model's Input, so serving does too.
    spec = images_for_input(spec, tuple(model.inputs[0].shape[1:]))
    path = source_path(spec, base_dir)
    classes = dataset_classes(path, validation_path(spec, base_dir))
    firsts = (next(image_files(path / name), None) for name in classes)
    examples = [image for image in firsts if image is not None][:EXAMPLE_INSTANCES]
    return ImageFeatures(spec.image_size, CHANNELS[spec.color_mode], classes, examples)


def bytes_server(model: keras.Model, features: ImageFeatures) -> Callable[[Any], dict[str, Any]]:
    """Encoded images (a 1-D `tf.string` tensor) → the model's outputs by name: `serving_default`."""
    import tensorflow as tf

    size, channels = features.image_size, features.channels
    pixels = tf.TensorSpec((size[0], size[1], channels), tf.float32)

    def serve(image_bytes: Any) -> dict[str, Any]:
        images = tf.map_fn(lambda one: decode_image(one, size, channels), image_bytes, fn_output_signature=pixels)
        return _outputs(model, images)

    return serve


def arrays_server(model: keras.Model, features: ImageFeatures) -> Callable[[Any], dict[str, Any]]:
    """Pixel arrays of any size (0–255) → the model's outputs by name: `serving_arrays`."""
    return lambda images: _outputs(model, resize_images(images, features.image_size, features.channels))


def export_image_savedmodel(model: keras.Model, features: ImageFeatures, out: Path, *,
                            now: datetime | None = None) -> SavedModelExport:
    """Write `model` behind its raw-image signatures as a new version under `out`, with
    `example_request.json`, checked on images of the dataset."""
    import tensorflow as tf

    encoded = [image.read_bytes() for image in features.examples]
    request = {"instances": [{BYTES_KEY: {"b64": base64.b64encode(data).decode("ascii")}} for data in encoded]}
    target = version_folder(out, now)
    remove_leftovers(out, EARLIER_PARTIAL)
    try:
        with new_folder(target, temporary_name=VERSION_LEFTOVERS) as partial:
            archive = keras.export.ExportArchive()
            archive.track(model)
            archive.add_endpoint(SIGNATURE, bytes_server(model, features),
                                 input_signature=[tf.TensorSpec((None,), tf.string, name=BYTES_KEY)])
            archive.add_endpoint(ARRAYS_SIGNATURE, arrays_server(model, features), input_signature=[
                tf.TensorSpec((None, None, None, features.channels), tf.float32, name=ARRAYS_KEY)])
            archive.write_out(str(partial), verbose=False)
            (partial / EXAMPLE_FILE).write_text(json.dumps(request, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BridgeError([f"{out}: cannot write the SavedModel: {exc.strerror or exc}"]) from None
    except tf.errors.OpError as exc:  # TensorFlow's own file writes: a full disk, a denied folder
        raise BridgeError([f"{out}: cannot write the SavedModel: {_file_error(exc)}"]) from None
    return SavedModelExport(target, [BYTES_KEY], model_output_names(model), _difference(model, target, features,
                                                                                        encoded))


def _outputs(model: keras.Model, images: Any) -> dict[str, Any]:
    result = model(model_arguments(model, [images]), training=False)
    return dict(zip(model_output_names(model), keras.tree.flatten(result)))


def _difference(model: keras.Model, folder: Path, features: ImageFeatures, encoded: list[bytes]) -> float:
    """Load the written folder back; the largest difference from the Keras model over the example images,
    sent as bytes and as arrays of their own size."""
    import tensorflow as tf

    if not encoded:
        return 0.0
    size, channels = features.image_size, features.channels
    expected = _outputs(model, tf.stack([decode_image(tf.constant(data), size, channels) for data in encoded]))
    loaded = tf.saved_model.load(str(folder))
    answers = [loaded.signatures[SIGNATURE](**{BYTES_KEY: tf.constant(encoded)})]
    for data in encoded:  # arrays of different sizes cannot share a batch
        raw = tf.cast(tf.io.decode_image(data, channels=channels, expand_animations=False), tf.float32)
        answers.append(loaded.signatures[ARRAYS_SIGNATURE](**{ARRAYS_KEY: raw[tf.newaxis]}))
    differences = [0.0]
    for name, value in expected.items():
        value = np.asarray(value)
        differences.append(float(np.max(np.abs(np.asarray(answers[0][name]) - value))))
        differences += [float(np.max(np.abs(np.asarray(a[name]) - value[i]))) for i, a in enumerate(answers[1:])]
    return max(differences)
