"""The raw feature columns of a project's CSV dataset, as the graph's preprocessing block takes them.

The block (`graph.preprocessing_block`) knows neither Keras nor the files:
it gets each feature column's name, kind and categories as plain data. They
come from the loader's own plan (`csv_features`), read as if one matrix Input
took every mapped column (a project that already has the block maps one
column per Input), so the categories, their order and the width of the
matrix are those the loader gives the matrix model.
"""

from __future__ import annotations

import dataclasses

from netbuilder.graph.layer_names import keras_name
from netbuilder.graph.preprocessing_block import MATRIX_INPUT, RawColumn
from netbuilder.graph.project_file import Project
from netbuilder.training.datasets.csv_columns import NumericColumn, OneHotColumn
from netbuilder.training.datasets.csv_features import csv_features
from netbuilder.training.datasets.mapping import unique
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec


def raw_columns(project: Project) -> list[RawColumn]:
    """Every feature column of the project's dataset, in the loader's order, with its kind.

    Raises:
        DatasetError: no dataset, not a CSV file, or a file the loader refuses (its own message).
    """
    section = project.sections.get("dataset")
    if not isinstance(section, dict):
        raise DatasetError("the project has no dataset; choose a CSV file first")
    spec = DatasetSpec.from_section(section)
    graph = project.graph
    inputs = [graph.node(i).name for i in graph.input_ids()]
    if spec.inputs:
        spec = dataclasses.replace(spec, inputs={MATRIX_INPUT: unique(spec.inputs)})
        inputs = [MATRIX_INPUT]
    base_dir = project.path.parent if project.path is not None else None
    features = csv_features(spec, base_dir, input_names=inputs,
                            output_names=[keras_name(graph.node(o).name) for o in graph.output_ids() if o in graph])
    if features is None:
        raise DatasetError(f"{spec.source}: a preprocessing block is made for CSV columns, and this dataset is no "
                           "CSV file")
    columns = []
    for name in features.columns:
        encoder = features.encoders[name]
        if isinstance(encoder, NumericColumn):
            columns.append(RawColumn(name, "numeric"))
        elif isinstance(encoder, OneHotColumn):
            columns.append(RawColumn(name, "categorical", tuple(encoder.categories)))
    return columns
