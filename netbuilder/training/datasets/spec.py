"""What a project says about its dataset: the `dataset` section of the project file.

A `DatasetSpec` is plain data (it round-trips through JSON untouched); loading
happens elsewhere. Paths are stored as the user gave them and resolved against
the project's folder, so a project and its CSV can move together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

BUNDLED_PREFIX = "bundled:"
KINDS = ("csv", "npz", "images", "timeseries", "text", "tfrecord")
CATEGORICAL = ("onehot", "reject")
COLOR_MODES = ("grayscale", "rgb", "rgba")
# The colour mode that gives images this many channels.
MODE_FOR_CHANNELS = {1: "grayscale", 3: "rgb", 4: "rgba"}


class DatasetError(ValueError):
    """A dataset that cannot be used; the message names the file and the culprit (column, row, key)."""


@dataclass
class DatasetSpec:
    """Where the data is and how its columns map onto the model's inputs and outputs.

    `source` is `bundled:NAME`, or a path to a `.csv`/`.npz` file or to a folder
    of images (or of `.txt` documents) in class sub-folders. `target` lists the CSV target columns (or the
    `.npz` array name; default `y`). `inputs` maps a model input's name to its CSV
    columns (or `.npz` array name); empty means every other numeric column feeds
    the model's only input. `outputs` does the same for models with several
    outputs. `categorical` says what to do with text columns: one-hot encode
    them, or refuse with a message naming the column. With `kind` "timeseries" the
    CSV rows are time steps: `window` rows of the input columns (default: every
    numeric column, the target's included) forecast the target `horizon` rows on.
    """

    source: str
    kind: str | None = None
    target: list[str] = field(default_factory=list)
    inputs: dict[str, list[str]] = field(default_factory=dict)
    outputs: dict[str, list[str]] = field(default_factory=dict)
    categorical: str = "onehot"
    validation_file: str | None = None
    image_size: tuple[int, int] = (64, 64)
    color_mode: str = "rgb"
    window: int = 16  # timeseries: the rows (time steps) one example holds
    horizon: int = 1  # timeseries: how many steps after a window's last row its target lies

    @property
    def bundled_name(self) -> str | None:
        return self.source[len(BUNDLED_PREFIX):] if self.source.startswith(BUNDLED_PREFIX) else None

    def resolve(self, path: str, base_dir: Path | None) -> Path:
        """`path` as a file system path: relative ones are relative to the project's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() or base_dir is None else base_dir / p

    def to_section(self) -> dict[str, Any]:
        """The project-file form: defaults are left out so files stay short."""
        doc: dict[str, Any] = {"source": self.source}
        if self.kind:
            doc["kind"] = self.kind
        if self.target:
            doc["target"] = list(self.target)
        if self.inputs:
            doc["inputs"] = {k: list(v) for k, v in self.inputs.items()}
        if self.outputs:
            doc["outputs"] = {k: list(v) for k, v in self.outputs.items()}
        if self.categorical != "onehot":
            doc["categorical"] = self.categorical
        if self.validation_file:
            doc["validation_file"] = self.validation_file
        if self.image_size != (64, 64):
            doc["image_size"] = list(self.image_size)
        if self.color_mode != "rgb":
            doc["color_mode"] = self.color_mode
        if self.window != 16:
            doc["window"] = self.window
        if self.horizon != 1:
            doc["horizon"] = self.horizon
        return doc

    @classmethod
    def from_section(cls, doc: Any) -> DatasetSpec:
        """Read the `dataset` section; DatasetError lists every bad field."""
        if not isinstance(doc, dict):
            raise DatasetError("dataset: expected an object with at least a 'source'")
        problems: list[str] = []

        def text(key: str, default: str | None) -> str | None:
            value = doc.get(key, default)
            if value is not None and not isinstance(value, str):
                problems.append(f"dataset.{key}: expected text, got {value!r}")
                return default
            return value

        def names(value: Any, where: str) -> list[str]:
            if isinstance(value, str):
                return [value]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return list(value)
            problems.append(f"{where}: expected a column name or a list of them, got {value!r}")
            return []

        def mapping(key: str) -> dict[str, list[str]]:
            raw = doc.get(key, {})
            if not isinstance(raw, dict):
                problems.append(f"dataset.{key}: expected an object mapping names to columns")
                return {}
            return {str(k): names(v, f"dataset.{key}.{k}") for k, v in raw.items()}

        source = text("source", None)
        if not source:
            problems.append("dataset.source: missing; give a file, a folder or bundled:NAME")
        kind = text("kind", None)
        if kind is not None and kind not in KINDS:
            problems.append(f"dataset.kind: '{kind}' is not one of {', '.join(KINDS)}")
        categorical = text("categorical", "onehot") or "onehot"
        if categorical not in CATEGORICAL:
            problems.append(f"dataset.categorical: '{categorical}' is not one of {', '.join(CATEGORICAL)}")
        color_mode = text("color_mode", "rgb") or "rgb"
        if color_mode not in COLOR_MODES:
            problems.append(f"dataset.color_mode: '{color_mode}' is not one of {', '.join(COLOR_MODES)}")
        size = doc.get("image_size", [64, 64])
        if not (isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) and v > 0 for v in size)):
            problems.append(f"dataset.image_size: expected [height, width] in pixels, got {size!r}")
            size = [64, 64]

        def steps(key: str, default: int) -> int:
            value = doc.get(key, default)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
            problems.append(f"dataset.{key}: expected a whole number of time steps above 0, got {value!r}")
            return default

        spec = cls(
            source=source or "",
            kind=kind,
            target=names(doc["target"], "dataset.target") if "target" in doc else [],
            inputs=mapping("inputs"),
            outputs=mapping("outputs"),
            categorical=categorical,
            validation_file=text("validation_file", None),
            image_size=(size[0], size[1]),
            color_mode=color_mode,
            window=steps("window", 16),
            horizon=steps("horizon", 1),
        )
        if problems:
            raise DatasetError("\n".join(problems))
        return spec


def images_for_input(spec: DatasetSpec, input_shape: Sequence[int | None] | None) -> DatasetSpec:
    """`spec` with the image size and colour mode that fit a model Input of `input_shape`.

    A folder of images is resized on loading, so its size is the dataset's to
    choose; a new image dataset starts at the size the model takes (an Input of
    (28, 28, 1) gets 28×28 grayscale) instead of a fixed one the user must then
    find and change. An Input that is no fixed-size image leaves `spec` as it is.
    """
    shape = tuple(input_shape or ())
    if len(shape) != 3 or not all(isinstance(d, int) and d > 0 for d in shape) or shape[2] not in MODE_FOR_CHANNELS:
        return spec
    return replace(spec, image_size=(shape[0], shape[1]), color_mode=MODE_FOR_CHANNELS[shape[2]])
