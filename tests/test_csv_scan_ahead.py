"""`netbuilder train` scans a streamed CSV in a child process while TensorFlow loads, and takes its answer.

The child's scan must be the one a scan in this process makes — the same
facts, the same cached rows, the same refusal naming the same row — and a
child nobody asked for must stop and leave no cache file behind.
"""

import gc
import subprocess
import sys
import time

import numpy as np
import pytest

from netbuilder.training.datasets import DatasetError, csv_cache, csv_scan, csv_scan_part
from test_csv_cache import _write


@pytest.fixture
def ahead(monkeypatch):
    monkeypatch.setattr(csv_scan_part, "spare_core", lambda: True)  # the machine's load must not decide the test
    csv_scan._scans.clear()
    yield
    csv_scan_part._drop_ahead()
    csv_scan._scans.clear()
    gc.collect()


def _scanned_here(path):
    header, start = csv_scan.read_header(path)
    return csv_scan.scan_part(path, header, start, path.stat().st_size, 1,
                              csv_cache.CacheWriter(csv_cache.reserve_cache(path)))


def test_the_childs_scan_is_the_one_made_here_and_its_rows_too(tmp_path, ahead):
    path = tmp_path / "data.csv"
    _write(path)
    csv_scan_part.scan_ahead(path)
    assert csv_scan.scan_key(path) in csv_scan_part._ahead
    taken = csv_scan.scan_csv(path)
    assert csv_scan_part._ahead == {}
    here = _scanned_here(path)
    assert csv_scan_part._scan_to(taken) == csv_scan_part._scan_to(here)
    assert taken.cache is not None and taken.cache.rows == here.cache.rows == 3_000
    np.testing.assert_array_equal(csv_cache.first_rows(taken.cache, 3_000, None),
                                  csv_cache.first_rows(here.cache, 3_000, None))


def _refused_alike(path, short_rows):
    """The refusal a scan here and a scan ahead make of `path` with `short_rows` (file lines) cut short."""
    _write(path)
    lines = path.read_text().splitlines(keepends=True)
    for line in short_rows:
        lines[line - 1] = "1.0,2.0\n"
    path.write_text("".join(lines))
    with pytest.raises(DatasetError) as here:
        _scanned_here(path)
    csv_scan_part.scan_ahead(path)
    with pytest.raises(DatasetError) as taken:
        csv_scan.scan_csv(path)
    assert str(taken.value) == str(here.value)
    return str(taken.value)


def test_a_refusal_found_by_the_child_names_the_row_a_scan_here_names(tmp_path, ahead):
    assert "row 1235" in _refused_alike(tmp_path / "data.csv", [1235])


def test_a_child_nobody_asked_for_stops_and_takes_its_cache_with_it(tmp_path, ahead):
    path = tmp_path / "data.csv"
    _write(path)
    csv_scan_part.scan_ahead(path)
    entry, = csv_scan_part._ahead.values()
    child, cache_file = entry.second.process, entry.second.reserved.parts[0][0]
    del entry
    csv_scan_part._drop_ahead()
    gc.collect()
    assert child.poll() is not None and not cache_file.exists()


@pytest.fixture
def big(monkeypatch):
    """Files of a few hundred kilobytes count as big: cut in two, a child for each half."""
    monkeypatch.setattr(csv_scan, "PARALLEL_BYTES", 10_000)
    monkeypatch.setattr(csv_scan_part, "PARALLEL_BYTES", 10_000)


def test_of_a_big_file_each_half_gets_a_child_and_the_join_is_one_pass(tmp_path, ahead, big):
    path = tmp_path / "data.csv"
    _write(path)
    csv_scan_part.scan_ahead(path)
    entry, = csv_scan_part._ahead.values()
    assert entry.middle > csv_scan.read_header(path)[1] and entry.first is not None
    taken = csv_scan.scan_csv(path)
    assert csv_scan_part._ahead == {}
    here = _scanned_here(path)
    assert csv_scan_part._scan_to(taken) == csv_scan_part._scan_to(here)
    assert len(taken.cache.parts) == 2
    np.testing.assert_array_equal(csv_cache.first_rows(taken.cache, 3_000, None),
                                  csv_cache.first_rows(here.cache, 3_000, None))


@pytest.mark.parametrize("line", [700, 2_800], ids=["first half", "second half"])
def test_a_refusal_in_either_half_of_a_big_file_names_the_row_one_pass_names(tmp_path, ahead, big, line):
    # With a later short row in the second half too: the earlier refusal is the one said.
    assert f"row {line}" in _refused_alike(tmp_path / "data.csv", [line, 2_901])


def test_a_half_whose_child_died_is_scanned_here(tmp_path, ahead, big):
    path = tmp_path / "data.csv"
    _write(path)
    csv_scan_part.scan_ahead(path)
    entry, = csv_scan_part._ahead.values()
    entry.first.process.kill()
    entry.first.process.wait()
    taken = csv_scan.scan_csv(path)
    here = _scanned_here(path)
    assert csv_scan_part._scan_to(taken) == csv_scan_part._scan_to(here)
    np.testing.assert_array_equal(csv_cache.first_rows(taken.cache, 3_000, None),
                                  csv_cache.first_rows(here.cache, 3_000, None))


def test_a_changed_file_is_scanned_again_not_taken_from_the_child(tmp_path, ahead):
    path = tmp_path / "data.csv"
    _write(path)
    csv_scan_part.scan_ahead(path)
    _write(path, rows=2_000, scale=3.0)  # a new version: another size and time
    assert csv_scan.scan_csv(path).rows == 2_000


def test_netbuilder_train_starts_the_scan_before_tensorflow_is_imported(tmp_path):
    path = tmp_path / "data.csv"
    _write(path, rows=50)
    code = ("import sys, argparse\n"
            "from netbuilder.training.datasets import csv_scan_part\n"
            "csv_scan_part.spare_core = lambda: True\n"
            "from netbuilder.cli_train import scan_data_ahead\n"
            f"scan_data_ahead(argparse.Namespace(data={str(path)!r}, local_workers=None))\n"
            "assert len(csv_scan_part._ahead) == 1, csv_scan_part._ahead\n"
            "assert 'tensorflow' not in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={"NETBUILDER_STREAM_CSV_MB": "0", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_core_is_spare_unless_another_process_runs_on_it():
    """Another process running counts; this process's own threads (a library's, spinning) do not."""
    import threading
    import zlib

    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        deadline = time.monotonic() + 10
        while csv_scan_part._others_running() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)  # until the child has started
        assert csv_scan_part._others_running() >= 1
    finally:
        busy.kill()
        busy.wait()
    stop = threading.Event()

    def spin() -> None:
        data = bytes(1 << 20)
        while not stop.is_set():
            zlib.compress(data, 9)  # lets go of Python's lock while it works, as NumPy's BLAS threads do

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        seen = max(csv_scan_part._mine_running() for _ in range(50))
    finally:
        stop.set()
        spinner.join()
    assert seen >= 2  # the asking thread and the spinning one, both this process's
