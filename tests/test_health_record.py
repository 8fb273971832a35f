"""A run's health record read back from its folder: what the Health tab shows for a past run.

Runs made before warnings were kept read as no warnings; a damaged or hostile
file raises `HealthRecordError` naming the file, whatever its bytes (fuzzed).
"""

import string

import pytest
from hypothesis import HealthCheck as Hypothesis
from hypothesis import given, settings
from hypothesis import strategies as st

from netbuilder.training.events import HealthWarning, LayerHealth
from netbuilder.training.health_record import (
    COLUMNS, HEALTH_CSV, WARNINGS_CSV, HealthRecordError, append_warning, read_checks, read_warnings)

HEADER = ",".join(COLUMNS)


def test_checks_and_warnings_come_back_as_written(tmp_path):
    (tmp_path / HEALTH_CSV).write_text(
        f"{HEADER}\n1,1,0,h,1.5,0.25,,0\n1,1,0,out,2,0.5,,\n1,0,30,h,1.5,0,1e-07,0\n1,0,30,out,nan,inf,0.01,\n",
        encoding="utf-8")
    warning = HealthWarning("dead_relu", "h", "Layer 'h' outputs only zeros, \"quoted\",\nover two lines.")
    append_warning(tmp_path, warning)
    append_warning(tmp_path, HealthWarning("exploding", "out", "Exploding gradients."))
    first, last = read_checks(tmp_path)
    assert (first.step, last.step, last.batch) == (0, 30, 0)
    assert first.layers == {"h": LayerHealth(1.5, 0.25, None, 0.0), "out": LayerHealth(2.0, 0.5, None, None)}
    assert str(last.layers["out"].weight_norm) == "nan" and last.layers["out"].grad_norm == float("inf")
    assert read_warnings(tmp_path) == [warning, HealthWarning("exploding", "out", "Exploding gradients.")]


def test_a_run_from_before_warnings_were_kept_has_none(tmp_path):
    (tmp_path / HEALTH_CSV).write_text(f"{HEADER}\n1,1,0,h,1,1,,\n", encoding="utf-8")
    assert len(read_checks(tmp_path)) == 1 and read_warnings(tmp_path) == []
    assert read_checks(tmp_path / "gone") == []


@pytest.mark.parametrize("text, culprit", [
    ("epoch,batch\n1,2\n", "has the columns 'epoch, batch'"),
    (f"{HEADER}\n1,1,0,h,1\n", "line 2: 5 cells where 8 are expected"),
    (f"{HEADER}\n1,one,0,h,1,1,,\n", "line 2: batch 'one' is not a whole number"),
    (f"{HEADER}\n1,1,-3,h,1,1,,\n", "line 2: step -3 is negative"),
    (f"{HEADER}\n1,1,0,h,__import__('os'),1,,\n", "line 2: weight_norm \"__import__('os')\" is not a number"),
    (f"{HEADER}\n1,1,0,h,1,1,,7\n", "line 2: active_fraction 7.0 is not between 0 and 1"),
])
def test_a_damaged_health_csv_is_named_with_its_culprit(tmp_path, text, culprit):
    (tmp_path / HEALTH_CSV).write_text(text, encoding="utf-8")
    with pytest.raises(HealthRecordError) as caught:
        read_checks(tmp_path)
    assert str(caught.value).startswith(str(tmp_path / HEALTH_CSV)) and culprit in str(caught.value)


def test_a_warnings_file_that_is_not_text_is_named(tmp_path):
    (tmp_path / WARNINGS_CSV).write_bytes(b"kind,layer,message\n\xff\xfe\x00")
    with pytest.raises(HealthRecordError, match=f"{WARNINGS_CSV} is not UTF-8 text"):
        read_warnings(tmp_path)


CELLS = st.text(string.printable + "é∞\x00", max_size=12)


@settings(max_examples=120, deadline=None, suppress_health_check=[Hypothesis.function_scoped_fixture])
@given(header=st.sampled_from([HEADER, "kind,layer,message", ""]),
       rows=st.lists(st.lists(CELLS, max_size=9), max_size=6), raw=st.binary(max_size=40))
def test_any_record_reads_or_is_refused_in_a_sentence(tmp_path, header, rows, raw):
    body = "\n".join([header] + [",".join(row) for row in rows]).encode("utf-8", "surrogatepass") + raw
    for name, read in ((HEALTH_CSV, read_checks), (WARNINGS_CSV, read_warnings)):
        (tmp_path / name).write_bytes(body)
        try:
            read(tmp_path)
        except HealthRecordError as error:
            assert str(tmp_path / name) in str(error)
