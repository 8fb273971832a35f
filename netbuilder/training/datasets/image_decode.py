"""Encoded image bytes → the float32 pixels a model trained on an image folder takes.

One function for every place an image becomes pixels: the streamed training
pipeline (`image_stream`), the exported SavedModel's raw-image signatures
(`export.image_serving`) and `netbuilder predict`. It does what Keras'
`image_dataset_from_directory` does to each file (decode, bilinear resize to
the dataset's size and colour mode, no cropping), so an image gets the same
pixels, 0–255 as float32, whether it was loaded whole, streamed or served.
"""

from __future__ import annotations

from typing import Any

INTERPOLATION = "bilinear"  # image_dataset_from_directory's default


def decode_image(contents: Any, image_size: tuple[int, int], channels: int) -> Any:
    """One encoded PNG/JPEG/GIF/BMP (a scalar `tf.string`) → a (height, width, channels) float32 tensor."""
    import tensorflow as tf

    image = tf.io.decode_image(contents, channels=channels, expand_animations=False)
    return resize_images(image, image_size, channels)


def resize_images(images: Any, image_size: tuple[int, int], channels: int) -> Any:
    """An image or a batch of images of any size (any number type) → float32 at `image_size`."""
    import tensorflow as tf

    resized = tf.image.resize(images, image_size, method=INTERPOLATION)
    resized.set_shape([*resized.shape[:-3], image_size[0], image_size[1], channels])
    return tf.cast(resized, tf.float32)
