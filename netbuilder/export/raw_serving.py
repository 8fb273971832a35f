"""Serving raw rows: which CSV encoding a model was trained with, and its SavedModel that takes raw columns.

The encoding is that of the dataset the weights were trained on: a run's
`settings.json` records it (a run may have trained on `--data` given on the
command line), else the project's own `dataset` section; the loss says
whether whole-number targets were classes, as it did for the loader. The
export then writes the raw-column model (`raw_inputs`) with two files beside
`saved_model.pb`: `columns.json` (the columns a request holds, in order, with
their dtypes and categories) and `example_request.json` (real rows of the
dataset in TF Serving's REST `{"instances": [...]}` form, ready for
`curl -d @example_request.json`). The reload check feeds real rows too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import keras
import numpy as np

from netbuilder.export.lookup_categories import lookup_categories
from netbuilder.export.raw_inputs import by_input, columns_document, raw_input_model
from netbuilder.export.savedmodel import SavedModelExport, export_savedmodel
from netbuilder.graph import Project
from netbuilder.keras_bridge.errors import BridgeError
from netbuilder.training.datasets.csv_features import CsvFeatures, csv_features
from netbuilder.training.datasets.source import dataset_kind
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

COLUMNS_FILE, EXAMPLE_FILE = "columns.json", "example_request.json"
EXAMPLE_INSTANCES = 3
RUN_RECORD = "settings.json"  # see training.runs


def trained_features(project: Project, model: keras.Model, run: Path | None) -> CsvFeatures | None:
    """The CSV encoding `model`'s weights were trained with; None when that dataset is no CSV file.

    Raises:
        DatasetError: the dataset cannot be read or does not fit the model, named as the loader names it.
    """
    from netbuilder.training.preflight import task_for_loss

    record = _run_record(run) if run is not None else {}
    dataset = record.get("dataset") if isinstance(record.get("dataset"), dict) else project.sections.get("dataset")
    if dataset is None:
        return None
    spec = DatasetSpec.from_section(dataset)
    base_dir = project.path.parent if project.path is not None else None
    if dataset_kind(spec, base_dir) == "timeseries":  # the raw-row front is for tabular rows, not windows of them
        shape = ", ".join(["N", *(str(d) for d in model.inputs[0].shape[1:])])
        raise DatasetError(f"{spec.source}: a time-series model forecasts from windows of {spec.window} rows, not "
                           f"from one raw row at a time; it takes arrays of shape ({shape})")
    loss = _loss(record.get("training") if "training" in record else project.sections.get("training"))
    return csv_features(spec, base_dir, input_names=[t.name for t in model.inputs],
                        output_names=list(model.output_names), task=task_for_loss(loss) if loss else None,
                        text_inputs=[t.name for t in model.inputs if t.dtype == "string"])


@dataclass(frozen=True)
class ServingExport:
    """A SavedModel export for serving: raw columns when `raw_rows`; `note` says why not, when the data
    the model was trained on cannot be read any more."""

    result: SavedModelExport
    raw_rows: bool
    note: str | None = None
    raw_images: bool = False  # takes encoded images and any-size arrays (`image_serving`)


def export_for_serving(project: Project, model: keras.Model, run: Path | None, out: Path) -> ServingExport:
    """What File ▸ Export and `netbuilder export --format savedmodel` write: a model trained on a CSV file
    behind its raw-column front, one trained on an image folder behind its raw-image signatures
    (`image_serving`), any other model as it is.

    A dataset that no longer reads or fits (moved, edited since training) does not stop
    the export: the model is then served with its own inputs, and the note says why.
    """
    from netbuilder.export.image_serving import export_image_savedmodel, trained_images
    from netbuilder.export.text_serving import export_text_savedmodel, trained_text

    try:
        images = trained_images(project, model, run)
    except DatasetError as exc:
        note = f"{str(exc).splitlines()[0]}; the SavedModel takes the model's own inputs, not raw images"
        return ServingExport(export_savedmodel(model, out), raw_rows=False, note=note)
    if images is not None:
        return ServingExport(export_image_savedmodel(model, images, out), raw_rows=False, raw_images=True)
    try:
        text = trained_text(project, model, run)
    except DatasetError as exc:
        note = f"{str(exc).splitlines()[0]}; the SavedModel has no example request"
        return ServingExport(export_savedmodel(model, out), raw_rows=False, note=note)
    if text is not None:  # the model takes raw strings itself: only the example request and classes are added
        return ServingExport(export_text_savedmodel(model, text, out), raw_rows=False)
    try:
        features = trained_features(project, model, run)
        raw = raw_input_model(model, features) if features is not None else None
    except (DatasetError, BridgeError) as exc:
        reason = str(exc.problems[0]) if isinstance(exc, BridgeError) else str(exc).splitlines()[0]
        note = f"{reason}; the SavedModel takes the model's own inputs, not raw columns"
        return ServingExport(export_savedmodel(model, out), raw_rows=False, note=note)
    if features is None or raw is None:
        return ServingExport(export_savedmodel(model, out), raw_rows=False)
    return ServingExport(export_raw_savedmodel(raw, features, out, lookups=lookup_categories(model)), raw_rows=True)


def export_raw_savedmodel(raw: keras.Model, features: CsvFeatures, out: Path, *, now: datetime | None = None,
                          lookups: dict[str, list[str]] | None = None) -> SavedModelExport:
    """Write `raw` (a model behind its raw-column front, `raw_input_model`) as a new version under `out`,
    with `columns.json` (`lookups`: the model's own categories, `lookup_categories`) and
    `example_request.json`, checked on rows of the dataset."""
    files = {COLUMNS_FILE: json.dumps(columns_document(features, lookups), indent=2) + "\n",
             EXAMPLE_FILE: json.dumps(example_request(features), indent=2) + "\n"}
    return export_savedmodel(raw, out, now=now, sample=raw_batch(features, features.examples), extra_files=files)


def example_request(features: CsvFeatures) -> dict[str, Any]:
    """A TF Serving REST request (row format) holding the first rows of the dataset."""
    return {"instances": [by_input(features, {c: row[c] for c in features.columns})
                          for row in features.examples[:EXAMPLE_INSTANCES]]}


def raw_batch(features: CsvFeatures, rows: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Rows (column → value) as the raw model's inputs (by input name): float32 numbers, text as object
    arrays of str."""
    return by_input(features, {c: np.array([row[c] for row in rows], dtype=np.float32
                                           if features.encoders[c].raw_dtype == "float32" else object)
                               for c in features.columns})


def _run_record(run: Path) -> dict[str, Any]:
    try:
        record = json.loads((run / RUN_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _loss(section: Any) -> str | None:
    from netbuilder.training.settings import SettingsError, TrainingSettings

    if section is None:
        return None
    try:
        return TrainingSettings.from_section(section).loss
    except SettingsError:
        return None

