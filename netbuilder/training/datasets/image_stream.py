"""Training on a folder of images too big to decode whole: a `tf.data` pipeline over the file list.

Decoded into one float32 array, 20,000 small PNGs cost about twice the memory
of Keras' own streaming, and 100,000 photos do not fit at all. Folders of more
than `stream_images()` images (1,000, or `NETBUILDER_STREAM_IMAGES`) are
therefore streamed: only the sorted file paths and their class indices are
held; `tf.data` reads, decodes and resizes each file as a batch needs it
(`image_decode.decode_image`, what `image_dataset_from_directory` does to a
file), so memory is bounded by the batch, the prefetch and the list of paths,
and every image gets the pixels the in-memory path gives it.

Without a validation folder, an image is held out for validation when a hash
of its index in the sorted file list and the seed says so (`csv_stream.held_out`,
the rule the CSV stream uses): the same seed gives the same split and nothing
is decoded to make it. Each file's first bytes are checked up front, naming a
file that is no image; each split keeps its first images decoded in memory
(`SAMPLE_IMAGES`, fewer for big ones) for the pre-flight check, the previews
and the evaluation views.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from netbuilder.training.datasets.csv_stream import _PRIME, held_out
from netbuilder.training.datasets.image_decode import decode_image
from netbuilder.training.datasets.image_loader import (
    CHANNELS, check_image_file, class_folders, damaged_image, dataset_classes, first_line, image_paths, only_name,
)
from netbuilder.training.datasets.loaded import LoadedData, Split
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

STREAM_IMAGES = 1_000
STREAM_ENV = "NETBUILDER_STREAM_IMAGES"
SAMPLE_IMAGES = 64
SAMPLE_BYTES = 32 << 20  # the decoded sample of a split stays below this, whatever the image size

Which = Literal["train", "validation"]


def stream_images() -> int:
    """Folders of more images than this are streamed; `NETBUILDER_STREAM_IMAGES` sets it (0: stream every one)."""
    value = os.environ.get(STREAM_ENV, "").strip()
    try:
        return int(value) if value else STREAM_IMAGES
    except ValueError:
        return STREAM_IMAGES


def wants_streaming_images(path: Path, validation: Path | None) -> bool:
    """Whether the folders hold more images than `stream_images()`; bad folders are refused here, by name."""
    return sum(sum(class_folders(p).values()) for p in (path, validation) if p is not None) > stream_images()


@dataclass
class ImageStream:
    """The files of each split, their class indices, and how each file becomes pixels."""

    files: dict[Which, list[str]]
    labels: dict[Which, np.ndarray]
    image_size: tuple[int, int]
    channels: int

    def images(self, which: Which, batch_size: int, *, shuffle: bool = False, seed: int | None = None) -> Any:
        """Batches of (images, class indices); shuffling moves only paths, so it costs no image memory."""
        import tensorflow as tf

        paths, labels = self.files[which], self.labels[which]
        ds = tf.data.Dataset.from_tensor_slices((tf.constant(paths, tf.string), labels))
        if shuffle:
            ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
        size, channels = self.image_size, self.channels

        def read(path: Any, label: Any) -> tuple[Any, Any]:
            return decode_image(tf.io.read_file(path), size, channels), label

        ds = ds.map(read, num_parallel_calls=tf.data.AUTOTUNE)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


@dataclass
class StreamedImages(LoadedData):
    """A `LoadedData` whose images stay in their files: `train`/`validation` hold the first images of each
    split, `n_rows` counts them all, and `tf_dataset` streams them."""

    train_is_head = False  # its `train` is a sample read its own way (see `LoadedData.head`)

    stream: ImageStream | None = None

    def n_rows(self, which: Which) -> int:
        assert self.stream is not None
        return len(self.stream.files.get(which, []))

    def target_values(self, name: str) -> np.ndarray:
        assert self.stream is not None
        return np.concatenate(list(self.stream.labels.values()))

    def failure_cause(self, exc: BaseException) -> str | None:
        """The first image of the splits that cannot be decoded, found by decoding them one by one."""
        import tensorflow as tf

        if self.stream is None or not isinstance(exc, (tf.errors.InvalidArgumentError, tf.errors.UnknownError)):
            return None
        for files in self.stream.files.values():
            if files:
                common = Path(os.path.commonpath(files))  # the split's folder: named from there
                found = damaged_image(common.parent if common.is_file() else common, files, self.stream.channels)
                if found is not None:
                    return found
        return None

    def tf_dataset(self, which: Which, batch_size: int, *, shuffle: bool = True, seed: int | None = None) -> Any:
        assert self.stream is not None
        if not self.n_rows(which):
            raise ValueError(f"this dataset has no {which} split")
        return self.stream.images(which, batch_size, shuffle=shuffle and which == "train", seed=seed)


def load_streamed_images(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
                         output_names: list[str], source_name: str, validation_split: float,
                         seed: int | None) -> StreamedImages:
    """The image folder(s) as a stream, checked as `load_images` checks them."""
    classes = dataset_classes(path, validation)
    model_input = only_name(list(spec.inputs) or input_names, "inputs", path.name)
    model_output = only_name(list(spec.outputs) or output_names, "outputs", path.name)
    folders = {"train": path, **({"validation": validation} if validation is not None else {})}
    listed = {which: _listed(folder, classes) for which, folder in folders.items()}
    files: dict[Which, list[str]] = {which: paths for which, (paths, _) in listed.items()}
    labels: dict[Which, np.ndarray] = {which: found for which, (_, found) in listed.items()}
    if validation is None and validation_split:
        chosen = seed if seed is not None else random.randrange(_PRIME)
        held = held_out(np.arange(len(files["train"]), dtype=np.int64), chosen, validation_split)
        everything, classes_of = files["train"], labels["train"]
        files = {"train": [f for f, h in zip(everything, held) if not h],
                 "validation": [f for f, h in zip(everything, held) if h]}
        labels = {"train": classes_of[~held], "validation": classes_of[held]}
    stream = ImageStream(files, labels, spec.image_size, CHANNELS[spec.color_mode])
    samples = {which: _sample(stream, which, folders.get(which, path), files[which], model_input, model_output)
               for which in files if files[which]}
    return StreamedImages(
        train=samples.get("train", Split({}, {})), validation=samples.get("validation"), task="classification",
        feature_columns={model_input: ["image"]}, target_columns={model_output: ["class"]},
        class_names=classes, source_name=source_name, stream=stream,
    )


def _listed(folder: Path, classes: list[str]) -> tuple[list[str], np.ndarray]:
    """The folder's image files in the order `image_dataset_from_directory` reads them, each checked by its
    first bytes, and their class indices."""
    files: list[str] = []
    labels: list[int] = []
    for index, name in enumerate(classes):
        for image in image_paths(folder / name):
            check_image_file(folder, image)
            files.append(image)
            labels.append(index)
    return files, np.asarray(labels, dtype=np.int32)


def _sample(stream: ImageStream, which: Which, folder: Path, files: list[str], model_input: str,
            model_output: str) -> Split:
    """The split's first images, decoded, for what looks at images rather than training on them."""
    import tensorflow as tf

    from netbuilder.keras_bridge.quiet_import import quiet_stderr

    height, width = stream.image_size
    count = max(1, min(SAMPLE_IMAGES, SAMPLE_BYTES // (height * width * stream.channels * 4)))
    try:
        with quiet_stderr():  # libjpeg writes its complaints straight to file descriptor 2
            # One by one, eagerly: a pipeline would be traced for these few images alone.
            images = np.stack([decode_image(tf.io.read_file(f), stream.image_size, stream.channels).numpy()
                               for f in files[:count]])
    except Exception as exc:  # TensorFlow reports undecodable images with several exception types
        with quiet_stderr():
            damaged = damaged_image(folder, files[:count], stream.channels)
        raise DatasetError(damaged or f"{folder.name}: an image cannot be read: {first_line(exc)}") from None
    return Split({model_input: images}, {model_output: stream.labels[which][:count]})
