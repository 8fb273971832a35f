"""`netbuilder predict`: predictions for raw CSV rows through the model a SavedModel export serves.

The weights are chosen as `netbuilder export` chooses them (--run DIR, else
the latest run, else the project's), the encoding is the one those weights
were trained with (`raw_serving.trained_features`), and the rows go through
the same raw-column model that is exported, so the numbers match what TF
Serving answers. Output: each input row as written, then its predictions
(`raw_predict` names them); to a file with -o, else to stdout. A model
trained on an image folder takes image files instead (`cli_predict_images`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from netbuilder.cli_common import OK, CommandError, load_project, say, write_predictions


def add_predict_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `predict` among the subcommands of `netbuilder`."""
    p = sub.add_parser("predict", help="predictions for raw CSV rows, through the model a SavedModel export serves")
    p.add_argument("project", help="a .nbproj file whose model was trained on a CSV file")
    p.add_argument("--run", dest="run_dir",
                   help="a training run folder whose weights to use "
                        "(default: the latest run, else the project's weights)")
    p.add_argument("--data", required=True,
                   help="a CSV file of rows with the training data's columns (targets optional); for a model "
                        "trained on an image folder, an image file or a folder of images; for one trained on a folder of "
                        "text files, a text file with one document per line or a folder of .txt files")
    p.add_argument("-o", "--output", help="the CSV file to write (default: stdout)")
    p.set_defaults(run=cmd_predict)


def cmd_predict(args: argparse.Namespace) -> int:
    from netbuilder.cli_export import chosen_run
    from netbuilder.cli_predict_images import predict_image_files
    from netbuilder.cli_predict_text import predict_text_documents
    from netbuilder.export.image_serving import trained_images
    from netbuilder.keras_bridge.export import built_with_weights
    from netbuilder.export.raw_inputs import by_input, raw_input_model
    from netbuilder.export.raw_predict import predict_raw, prediction_table
    from netbuilder.export.raw_serving import trained_features
    from netbuilder.export.text_serving import trained_text
    from netbuilder.training.datasets.raw_rows import read_raw_rows

    project = load_project(args.project)
    run = chosen_run(project, args.run_dir)
    built = built_with_weights(project, run=run)
    whose = f"the run {run}" if run else "the project's own"
    say(f"weights: {whose}", file=sys.stderr)
    for note in built.notes:
        say(f"note: {note}", file=sys.stderr)
    images = trained_images(project, built.model, run)
    if images is not None:
        return predict_image_files(args, built.model, images)
    text = trained_text(project, built.model, run)
    if text is not None:
        return predict_text_documents(args, built.model, text)
    features = trained_features(project, built.model, run)
    if features is None:
        raise CommandError([f"{args.project}: predict takes raw CSV rows, but the model was not trained on a CSV "
                            "file; export it (netbuilder export) and feed it arrays instead"])
    rows = read_raw_rows(Path(args.data), features)
    for note in rows.notes:
        say(f"note: {note}", file=sys.stderr)
    outputs = predict_raw(raw_input_model(built.model, features), by_input(features, rows.values), len(rows.cells))
    columns, predictions = prediction_table(outputs, features, rows.header)
    write_predictions(rows.header + columns, (cells + predicted for cells, predicted in zip(rows.cells, predictions)),
                      args.output, f"{len(rows.cells):,} rows", columns)
    return OK
