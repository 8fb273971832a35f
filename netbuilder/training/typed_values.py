"""The type-in form of the Predict view: its fields, a real row to start from, and typed text read as a model input.

A one-hot group of columns ("colour=red", "colour=blue") is one field with a
choice of categories; every other column is a number. Typed text that cannot
be fed to the model is refused with a sentence per field, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netbuilder.training.datasets.loaded import LoadedData
from netbuilder.training.prediction_table import column_names, format_number, shown_by_shape

ONE_HOT_MARK = "="  # the loaders name one-hot columns "column=category"


@dataclass(frozen=True)
class TypedField:
    """One field of the type-in form: a number, or a category for one-hot columns."""

    name: str
    choices: list[str] | None = None


class TypedValuesError(ValueError):
    """Typed values that cannot be fed to the model; `problems` maps each bad field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def typed_fields(data: LoadedData, input_name: str) -> list[TypedField]:
    """The type-in form of one input: a field per feature column, one-hot groups as a category choice."""
    values = data.train.features[input_name]
    if shown_by_shape(values):
        raise ValueError(f"Input '{input_name}' takes {'×'.join(map(str, values.shape[1:]))} values per row; "
                         "predict on rows of the dataset instead of typing them")
    # name -> its categories (None for a number), in the order the columns come
    fields: dict[str, list[str] | None] = {}
    for column in column_names(data.feature_columns.get(input_name), input_name, values.shape[1]):
        base, mark, category = column.partition(ONE_HOT_MARK)
        if mark:
            fields[base] = [*(fields.get(base) or []), category]
        else:
            fields[column] = None
    return [TypedField(name, choices) for name, choices in fields.items()]


def typed_values_of_row(data: LoadedData, input_name: str, index: int = 0) -> dict[str, str]:
    """A training row as the type-in form shows it, so the form starts from a real example."""
    values = data.train.features[input_name][index].reshape(-1)
    typed: dict[str, str] = {}
    position = 0
    for field_ in typed_fields(data, input_name):
        if field_.choices is None:
            typed[field_.name] = format_number(values[position])
            position += 1
        else:
            width = len(field_.choices)
            typed[field_.name] = field_.choices[int(np.argmax(values[position:position + width]))]
            position += width
    return typed


def parse_typed_values(values: dict[str, str], data: LoadedData, input_name: str) -> np.ndarray:
    """One row (shape (1, columns), float32) for `input_name` from text typed per field.

    Raises TypedValuesError naming every bad field, e.g. "petal_width: 'abc' is not a number".
    """
    if data.train.features[input_name].dtype == object:  # one document fed raw (a text folder): taken as typed
        return np.asarray([[values.get(typed_fields(data, input_name)[0].name, "")]], dtype=object)
    row: list[float] = []
    problems: dict[str, str] = {}
    for typed in typed_fields(data, input_name):
        text = values.get(typed.name, "").strip()
        if typed.choices is not None:
            if text not in typed.choices:
                problems[typed.name] = (f"{typed.name}: choose one of {', '.join(typed.choices)}" if not text else
                                        f"{typed.name}: '{text}' is not one of {', '.join(typed.choices)}")
            row += [1.0 if text == choice else 0.0 for choice in typed.choices]
            continue
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if not np.isfinite(number):
            problems[typed.name] = (f"{typed.name}: enter a number" if not text else
                                    f"{typed.name}: '{text}' is not a number")
        row.append(number)
    if problems:
        raise TypedValuesError(problems)
    return np.asarray([row], dtype=np.float32)
