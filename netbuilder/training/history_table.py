"""The columns of `history.csv`, in one place for a run folder and for a training package's `train.py`.

A training package carries a copy of this module (`export.package_runtime`),
so both write the same header in the same order.
"""

from __future__ import annotations


def history_columns(keys: list[str]) -> list[str]:
    """`epoch`, then each log key followed by its validation twin: epoch, loss, val_loss, rmse, val_rmse."""
    bases = [k for k in keys if not k.startswith("val_")]
    bases.sort(key=lambda k: k != "loss")  # stable: loss first, the rest as Keras listed them
    columns = ["epoch"]
    for base in bases:
        columns += [base] + ([f"val_{base}"] if f"val_{base}" in keys else [])
    return columns + [k for k in keys if k not in columns]
