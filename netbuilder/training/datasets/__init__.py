"""Datasets for training: what a project's `dataset` section says, loading it, previewing it.

Sources are CSV files, NumPy `.npz` archives, folders of images in class
sub-folders, and the sample sets bundled with netbuilder (`bundled:NAME`).
Whatever the source, `load_dataset` returns a `LoadedData` of numpy arrays
keyed by the model's input and output names, and every problem with the data
is a `DatasetError` whose message names the file and the culprit.
"""

from netbuilder.training.datasets.bundled import BundledDataset, bundled_datasets
from netbuilder.training.datasets.load import load_dataset
from netbuilder.training.datasets.loaded import LoadedData, Split
from netbuilder.training.datasets.preview import Preview, preview_dataset
from netbuilder.training.datasets.source import dataset_kind
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec

__all__ = [
    "DatasetSpec", "DatasetError", "Split", "LoadedData", "load_dataset", "preview_dataset", "Preview",
    "bundled_datasets", "BundledDataset", "dataset_kind",
]
