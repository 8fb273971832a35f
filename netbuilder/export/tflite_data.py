"""The project's own rows for a quantized TFLite export: calibration rows and validation rows.

Full-integer quantization needs a few hundred typical inputs to choose each
tensor's int8 range, and the report beside a quantized file scores it on data
the model did not train on. Both come from the project's dataset, split exactly
as training split it: with `--run`, by the settings that run recorded (its
dataset, validation split and seed), else by the project's saved settings. Rows
are read through `LoadedData.tf_dataset`, so streamed CSV files and image
folders give their rows as in-memory ones do, and only as many as are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from netbuilder.graph import Project
from netbuilder.training.datasets.loaded import LoadedData
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec
from netbuilder.training.runs import _read_record  # settings.json, read as the run list reads it
from netbuilder.training.settings import TrainingSettings

CALIBRATION_ROWS = 300  # TensorFlow's guide suggests 100 to 500 representative samples
MEASURED_ROWS = 10_000  # a validation split beyond this is scored on its first rows


@dataclass(frozen=True)
class Rows:
    """Some rows of one split: features keyed by the model's input names, the first output's targets."""

    features: dict[str, np.ndarray]
    targets: np.ndarray | None

    def __len__(self) -> int:
        return int(next(iter(self.features.values())).shape[0])


@dataclass(frozen=True)
class ProjectData:
    """The loaded dataset, where it came from, and which split the report scores."""

    data: LoadedData
    source: str
    measured_split: Literal["train", "validation"]


def project_data(project: Project, model: Any, run: Path | None) -> ProjectData | None:
    """The project's dataset as the run (or the project's settings) split it; None when it names none.

    Raises:
        DatasetError: the dataset cannot be read (the loader's message names the file and the culprit).
    """
    from netbuilder.training.datasets import load_dataset
    from netbuilder.training.preflight import SPARSE_LOSSES, loss_key

    recorded = _read_record(run) if run is not None else {}  # the settings the run recorded
    section = recorded.get("dataset", project.sections.get("dataset"))
    if not isinstance(section, dict):
        return None
    spec = DatasetSpec.from_section(section)
    settings = TrainingSettings.from_section(recorded.get("training", project.sections.get("training", {})))
    # As in training: a sparse loss says the numbers in the target column are class labels.
    task = "classification" if loss_key(settings.loss) in SPARSE_LOSSES else None
    base_dir = project.path.parent if project.path is not None else None
    data = load_dataset(spec, base_dir, input_names=[t.name for t in model.inputs],
                        output_names=list(model.output_names), validation_split=settings.validation_split,
                        seed=settings.seed, task=task,
                        text_inputs=[t.name for t in model.inputs if t.dtype == "string"])
    split: Literal["train", "validation"] = "validation" if data.n_rows("validation") else "train"
    return ProjectData(data, spec.source, split)


def split_rows(data: LoadedData, which: Literal["train", "validation"], limit: int, input_names: list[str],
               first_output: str) -> Rows:
    """Up to `limit` rows of a split, in the split's own order."""
    features: dict[str, list[np.ndarray]] = {name: [] for name in input_names}
    targets: list[np.ndarray] = []
    taken = 0
    for x, y in data.tf_dataset(which, 256, shuffle=False):
        if taken >= limit:
            break
        keep = limit - taken
        batch = x if isinstance(x, dict) else {input_names[0]: x}
        for name in input_names:
            features[name].append(np.asarray(batch[name])[:keep])
        target = y.get(first_output, next(iter(y.values()))) if isinstance(y, dict) else y
        targets.append(np.asarray(target)[:keep])
        taken += len(features[input_names[0]][-1])
    if taken == 0:
        raise DatasetError(f"the {'training' if which == 'train' else 'validation'} split has no rows")
    return Rows({name: np.concatenate(parts) for name, parts in features.items()}, np.concatenate(targets))
