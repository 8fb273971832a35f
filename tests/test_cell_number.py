"""A cell the scan calls a number is one TensorFlow's CSV parser reads, checked against the parser itself.

Streamed CSV files and time series are scanned in Python and decoded by
`tf.io.decode_csv` each epoch; where the two disagreed, training stopped in
the middle of an epoch. Every ASCII character and a few Unicode ones are
tried before, after and inside a number.
"""

import pytest
import tensorflow as tf

from netbuilder.training.datasets.cell_number import all_plain, cell_number, is_number, plain_lines

ODD = [chr(i) for i in range(1, 128)] + ["\x85", "\xa0", "\u2003", "\u3000", "\u2028", "\u0661", "\uff11"]
CELLS = sorted({cell for ch in ODD for cell in (f"1{ch}", f"{ch}1", f"1{ch}5", f"-2.5e3{ch}")})


def tensorflow_reads(cell: str) -> bool:
    try:
        tf.io.decode_csv(tf.constant([cell]), [tf.constant([], tf.float32)])
    except (tf.errors.InvalidArgumentError, ValueError):
        return False
    return True


def test_every_cell_called_a_number_is_read_by_tensorflow():
    called = [cell for cell in CELLS if is_number(cell)]
    assert [cell for cell in called if not tensorflow_reads(cell)] == []
    # …and ordinary numbers in all their spellings still are numbers.
    plain = ["1", "-0", "+1.5", ".5", "1.", "1e5", "1E-5", " 7 ", "\t7", "inf", "-Infinity", "nan", "NaN"]
    assert [cell for cell in plain if not is_number(cell)] == []
    assert cell_number(" 2.5 ") == 2.5 and cell_number("2,5") is None


@pytest.mark.parametrize("cell", ["5\x1c", "\x1f5", "1_000", "1\xa0", "\u0661\u0662", "1\r"])
def test_what_python_or_numpy_reads_and_tensorflow_refuses_is_text(cell):
    assert not tensorflow_reads(cell)
    assert not is_number(cell)
    assert not all_plain(["1", cell])
    assert not plain_lines(f"1,2\n{cell},3\n")


def test_lines_ending_in_carriage_returns_stay_plain():
    assert plain_lines("1,2\r\n3,4\r\n") and plain_lines("1,2\n3,4")
    assert not plain_lines("1,2\r3,4\n")
