"""Loading a folder of images in class sub-folders with Keras' own `image_dataset_from_directory`.

This is the in-memory path, for small folders (the bundled digits); bigger
ones are streamed from their files by `image_stream`, which shares the checks
below.

The folder is checked first with the standard library, so a wrong folder gets
a message rather than a TensorFlow error; so is every image file's first
bytes, so an empty file or one that is no image at all is named by its path.
An image that starts right but is damaged further on fails inside
TensorFlow; then the images are decoded one by one to find and name it. Images are resized to the spec's
`image_size` and colour mode and collected into one float32 array with pixel
values 0–255: the model should rescale them (start it with a `Rescaling`
layer, as the bundled digits example does). Labels are class indices in the
order of the sorted folder names, which are the class names.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from netbuilder.training.datasets.loaded import LoadedData, Split
from netbuilder.training.datasets.shown import shown
from netbuilder.training.datasets.spec import MODE_FOR_CHANNELS, DatasetError, DatasetSpec

# The formats image_dataset_from_directory reads, and how each file of them starts.
IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
SIGNATURE_BYTES = max(len(s) for s in IMAGE_SIGNATURES)
CHANNELS = {mode: channels for channels, mode in MODE_FOR_CHANNELS.items()}


def class_folders(path: Path) -> dict[str, int]:
    """Class name → number of images, for a folder of images in class sub-folders."""
    if not path.exists():
        raise DatasetError(f"{path}: no such folder")
    if not path.is_dir():
        raise DatasetError(f"{path}: is a file; expected a folder of images in class sub-folders")
    classes = sorted(entry.name for entry in os.scandir(path) if entry.is_dir() and not entry.name.startswith("."))
    if not classes:
        raise DatasetError(f"{path.name}: has no class sub-folders; put each class's images in a folder named "
                           f"after the class ({path.name}/cat/…, {path.name}/dog/…)")
    counts = {name: _count_images(path / name) for name in classes}
    if not any(counts.values()):
        raise DatasetError(f"{path.name}: its class folders ({', '.join(classes)}) hold no images "
                           f"({', '.join(IMAGE_SUFFIXES)})")
    return counts


def load_images(spec: DatasetSpec, path: Path, validation: Path | None, *, input_names: list[str],
                output_names: list[str], source_name: str) -> LoadedData:
    classes = dataset_classes(path, validation)
    model_input = only_name(list(spec.inputs) or input_names, "inputs", path.name)
    model_output = only_name(list(spec.outputs) or output_names, "outputs", path.name)
    splits = [_read_folder(spec, folder, classes, model_input, model_output) for folder in (path, validation) if folder]
    return LoadedData(
        train=splits[0], validation=splits[1] if len(splits) == 2 else None, task="classification",
        feature_columns={model_input: ["image"]}, target_columns={model_output: ["class"]},
        class_names=classes, source_name=source_name,
    )


def dataset_classes(path: Path, validation: Path | None) -> list[str]:
    """The class names (sorted folder names) of `path`, which a validation folder must share."""
    classes = list(class_folders(path))
    if validation is not None:
        others = list(class_folders(validation))
        if others != classes:
            raise DatasetError(f"{validation.name}: the validation folder's classes ({', '.join(others)}) differ "
                               f"from {path.name}'s ({', '.join(classes)})")
    return classes


def _count_images(folder: Path) -> int:
    return sum(1 for _ in image_paths(folder))


def image_files(folder: Path) -> Iterator[Path]:
    """The files image_dataset_from_directory reads under `folder` (it follows no links, nor does this)."""
    return map(Path, image_paths(folder))


def image_paths(folder: Path) -> Iterator[str]:
    """`image_files` as strings: a folder of 100,000 images is listed without making as many `Path`s."""
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        yield from (os.path.join(root, name) for name in sorted(files) if name.lower().endswith(IMAGE_SUFFIXES))


def check_image_files(folder: Path, classes: list[str]) -> None:
    """Refuse, by path, an image file that is empty, unreadable or no image (its first bytes say)."""
    for image in (image for name in classes for image in image_files(folder / name)):
        check_image_file(folder, image)


def check_image_file(folder: Path, image: Path | str) -> None:
    """Refuse, by path, `image` (a file under `folder`) when its first bytes say it is no image."""
    try:
        with open(image, "rb") as fh:
            start = fh.read(SIGNATURE_BYTES)
    except OSError as exc:
        raise DatasetError(f"{_where(folder, image)}: cannot be read: {exc.strerror or exc}") from None
    if not start:
        raise DatasetError(f"{_where(folder, image)}: the image file is empty (0 bytes); replace it or delete it")
    if not start.startswith(IMAGE_SIGNATURES):
        raise DatasetError(f"{_where(folder, image)}: is not a PNG, JPEG, GIF or BMP image, whatever its name says; "
                           "replace it or delete it")


def damaged_image(folder: Path, images: Iterable[Path | str], channels: int) -> str | None:
    """The path and TensorFlow's reason for the first of `images` that cannot be decoded, if one cannot."""
    import tensorflow as tf

    for image in images:
        try:
            tf.io.decode_image(tf.io.read_file(str(image)), channels=channels, expand_animations=False)
        except Exception as exc:  # TensorFlow reports undecodable images with several exception types
            return f"{_where(folder, image)}: the image is damaged and cannot be decoded ({first_line(exc)})"
    return None


def _where(folder: Path, image: Path | str) -> str:
    """The image as the user finds it: the dataset folder's name, the class folder, the file."""
    return shown(str(Path(image).relative_to(folder.parent)), 200)


def first_line(exc: BaseException) -> str:
    lines = str(getattr(exc, "message", exc)).strip().splitlines()
    return shown(lines[0], 120) if lines else type(exc).__name__


def only_name(names: list[str], role: str, folder: str) -> str:
    if len(names) != 1:
        raise DatasetError(f"{folder}: a folder of images feeds a model with one input and one output; "
                           f"this one has {len(names)} {role} ({', '.join(names) or 'none'})")
    return names[0]


def _read_folder(spec: DatasetSpec, folder: Path, classes: list[str], model_input: str, model_output: str) -> Split:
    from netbuilder.keras_bridge.quiet_import import import_keras_quietly, quiet_stderr

    check_image_files(folder, classes)
    import_keras_quietly()
    import keras

    try:
        dataset = keras.utils.image_dataset_from_directory(
            # Naming the classes keeps hidden folders (.ipynb_checkpoints) from becoming one.
            str(folder), labels="inferred", label_mode="int", class_names=classes, image_size=spec.image_size,
            color_mode=spec.color_mode, batch_size=None, shuffle=False, verbose=False,
        )
        # libjpeg writes its complaints about a damaged file ("Unsupported marker type") straight
        # to file descriptor 2: the message below names the file instead.
        with quiet_stderr():
            pairs = list(dataset.batch(1024).as_numpy_iterator())
    except Exception as exc:  # TensorFlow reports unreadable images with many exception types
        if _out_of_memory(exc):
            raise  # the session says so; searching for a damaged image would only fail the same way
        with quiet_stderr():
            damaged = damaged_image(folder, (image for name in classes for image in image_files(folder / name)),
                                    CHANNELS[spec.color_mode])
        raise DatasetError(damaged or f"{folder.name}: an image cannot be read: {first_line(exc)}") from None
    images = np.concatenate([batch for batch, _ in pairs]).astype(np.float32)
    labels = np.concatenate([batch for _, batch in pairs]).astype(np.int32)
    return Split({model_input: images}, {model_output: labels})


def _out_of_memory(exc: BaseException) -> bool:
    import tensorflow as tf

    return isinstance(exc, (MemoryError, tf.errors.ResourceExhaustedError))
