"""Predictions for image files through the raw-image function a SavedModel export serves.

`netbuilder predict` on a model trained on an image folder takes one image
file or a folder of them (searched through its sub-folders, in sorted order,
so a dataset folder in class sub-folders works as it is). Each file is
checked by its first bytes, then sent as encoded bytes through
`image_serving.bytes_server`, the very function of the exported
`serving_default`, so the command line and TF Serving agree. A file that
starts right but cannot be decoded is named by its path. It sits in `export`
because it runs `image_serving`'s function and reads image files with
`training.datasets`, both above keras_bridge.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from netbuilder.export.image_serving import ImageFeatures, bytes_server
from netbuilder.training.datasets.image_loader import IMAGE_SUFFIXES, check_image_file, damaged_image, image_files
from netbuilder.training.datasets.spec import DatasetError

PREDICT_IMAGES = 64  # files decoded per call: memory stays flat for any folder


def images_to_predict(data: Path) -> list[Path]:
    """The image files `--data` names: the file itself, or every image under the folder, each checked."""
    if not data.exists():
        raise DatasetError(f"{data}: no such image file or folder")
    if data.is_dir():
        files = list(image_files(data))
        if not files:
            raise DatasetError(f"{data}: holds no images ({', '.join(IMAGE_SUFFIXES)})")
    else:
        files = [data]
    root = searched_root(data)
    for image in files:
        check_image_file(root, image.resolve())
    return files


def searched_root(data: Path) -> Path:
    """The folder messages name files from: `--data` itself, or the folder of the one file it names."""
    return data.resolve() if data.is_dir() else data.resolve().parent


def predict_images(model: keras.Model, features: ImageFeatures, files: list[Path], root: Path) -> dict[str, np.ndarray]:
    """Output name → (files, values per file); a damaged file is named from `root` (`searched_root`)."""
    import tensorflow as tf

    from netbuilder.keras_bridge.quiet_import import quiet_stderr

    serve = tf.function(bytes_server(model, features))
    parts: dict[str, list[np.ndarray]] = {}
    for start in range(0, len(files), PREDICT_IMAGES):
        chunk = files[start:start + PREDICT_IMAGES]
        try:
            with quiet_stderr():  # libjpeg writes its complaints straight to file descriptor 2
                answer = serve(tf.constant([image.read_bytes() for image in chunk]))
        except tf.errors.OpError:
            with quiet_stderr():
                damaged = damaged_image(root, [image.resolve() for image in chunk], features.channels)
            raise DatasetError(damaged or f"{root.name}: an image cannot be read") from None
        for name, value in answer.items():
            parts.setdefault(name, []).append(np.asarray(value).reshape(len(chunk), -1))
    return {name: np.concatenate(chunks) for name, chunks in parts.items()}
