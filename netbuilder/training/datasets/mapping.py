"""Which columns (or arrays) feed which model input, and which the model's outputs predict.

A spec's `inputs`/`outputs` mapping is taken as written, so a name the model
does not have is reported by the pre-flight check together with every other
mismatch. Without a mapping, a model with one input (one output) gets the
default columns; a model with several cannot be guessed and gets a message.
"""

from __future__ import annotations

from netbuilder.training.datasets.spec import DatasetError, DatasetSpec


def input_mapping(spec: DatasetSpec, input_names: list[str], default: list[str], source: str,
                  what: str = "columns") -> dict[str, list[str]]:
    """Model input name → the columns (or array) that feed it."""
    if spec.inputs:
        return {name: list(columns) for name, columns in spec.inputs.items()}
    if len(input_names) == 1:
        return {input_names[0]: list(default)}
    if not input_names:
        raise DatasetError(f"{source}: the model has no inputs to feed")
    raise DatasetError(f"{source}: the model has {len(input_names)} inputs ({', '.join(input_names)}); "
                       f"say which {what} feed each one (dataset inputs)")


def output_mapping(spec: DatasetSpec, output_names: list[str], default: list[str], source: str,
                   choices: str) -> dict[str, list[str]]:
    """Model output name → the target columns (or array) it predicts; `choices` lists what there is."""
    if spec.outputs:
        return {name: list(columns) for name, columns in spec.outputs.items()}
    target = list(spec.target) or default
    if not target:
        raise DatasetError(f"{source}: no target chosen; pick what to predict from {choices}")
    if len(output_names) == 1:
        return {output_names[0]: target}
    if not output_names:
        raise DatasetError(f"{source}: the model has no outputs to train")
    raise DatasetError(f"{source}: the model has {len(output_names)} outputs ({', '.join(output_names)}); "
                       "say which targets each one predicts (dataset outputs)")


def unique(groups: dict[str, list[str]]) -> list[str]:
    """Every name in `groups`, once each, in order of first appearance."""
    return list(dict.fromkeys(name for names in groups.values() for name in names))
