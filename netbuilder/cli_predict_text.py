"""`netbuilder predict` for a model trained on a folder of text files: one CSV row per document.

`--data` is a text file with one document per line, or a folder of `.txt`
files (one document each, sub-folders included, in sorted order). Each row
holds where the document came from (`file.txt:LINE` or the file's path) and
the document itself, then the predictions named as for raw CSV rows
(`raw_predict.prediction_table`): one probability per class (`language=dutch`,
…) and the predicted class under the output's name. The documents go through
the model as the exported SavedModel takes them (`text_serving`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from netbuilder.cli_common import OK, write_predictions


def predict_text_documents(args: argparse.Namespace, model: Any, features: Any) -> int:
    """Write the predictions for the documents `args.data` holds (to `args.output`, else stdout)."""
    from netbuilder.export.raw_predict import prediction_table
    from netbuilder.export.text_serving import predict_documents
    from netbuilder.training.datasets.text_documents import documents_to_predict

    documents = documents_to_predict(Path(args.data))
    outputs = predict_documents(model, documents.texts)
    header = ["source", model.inputs[0].name]
    columns, predictions = prediction_table(outputs, features, header)
    write_predictions([*header, *columns],
                      ([name, doc, *predicted] for name, doc, predicted in zip(documents.names, documents.texts,
                                                                                predictions)),
                      args.output, f"{len(documents.texts):,} documents", columns)
    return OK
