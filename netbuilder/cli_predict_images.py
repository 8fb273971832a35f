"""`netbuilder predict` for a model trained on an image folder: one CSV row per image file.

`--data` is one image file or a folder of them (sub-folders included, in
sorted order). Each row holds the file's path as found, then the predictions,
named as for raw CSV rows (`raw_predict.prediction_table`): one probability
per class (`label=cat`, …) and the predicted class under the output's name.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netbuilder.cli_common import OK, write_predictions

if TYPE_CHECKING:  # the command imports Keras only once it runs
    from netbuilder.export.image_serving import ImageFeatures


def predict_image_files(args: argparse.Namespace, model: Any, features: ImageFeatures) -> int:
    """Write the predictions for the images `args.data` names (to `args.output`, else stdout)."""
    from netbuilder.export.image_predict import images_to_predict, predict_images, searched_root
    from netbuilder.export.raw_predict import prediction_table

    data = Path(args.data)
    files = images_to_predict(data)
    outputs = predict_images(model, features, files, searched_root(data))
    columns, predictions = prediction_table(outputs, features, ["path"])
    write_predictions(["path", *columns], ([str(image), *predicted] for image, predicted in zip(files, predictions)),
                      args.output, f"{len(files):,} images", columns)
    return OK
