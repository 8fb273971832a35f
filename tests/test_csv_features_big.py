"""The encoding of a CSV file too big to hold comes from the streaming pass and equals the in-memory one.

`csv_features` tells the raw-row export and `netbuilder predict` the columns,
their encoders (with every category) and the class names; for a file above
the streaming size it must not read the file whole, yet say the same.
"""

import shutil

import pytest

from netbuilder import resources
from netbuilder.training.datasets import DatasetSpec, csv_features as features_module, csv_scan, csv_stream
from netbuilder.training.datasets.csv_features import csv_features


@pytest.mark.parametrize("target, inputs", [("tip", None), ("day", ["total_bill", "sex", "smoker", "size"])])
def test_a_streamed_file_gives_the_encoding_of_the_file_read_whole(tmp_path, monkeypatch, target, inputs):
    data = tmp_path / "tips.csv"
    shutil.copy(resources.dataset_path("tips"), data)
    spec = DatasetSpec(str(data), target=[target], inputs={"x": inputs} if inputs else {})

    def encoding():
        return csv_features(spec, None, input_names=["x"], output_names=["y"])

    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 1 << 40)
    whole = encoding()
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0)
    monkeypatch.delenv(csv_stream.STREAM_ENV, raising=False)
    csv_scan._scans.clear()

    def read_whole(path):
        raise AssertionError(f"{path} was read whole")

    monkeypatch.setattr(features_module, "read_csv", read_whole)
    streamed = encoding()
    assert streamed == whole
    assert streamed.class_names == (["Fri", "Sat", "Sun", "Thur"] if target == "day" else None)
    assert streamed.examples[0]["sex"] == "Female" and streamed.examples[0]["total_bill"] == 16.99
