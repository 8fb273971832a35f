"""The `netbuilder` command leaves at once after TensorFlow work, and loses nothing by it.

TensorFlow's teardown takes most of a second after a subcommand returns; `cli_exit.end` skips it with
`os._exit` after flushing output and running the exit handlers. These tests run the real command (or
`end` itself) in fresh processes and check what must survive the shortcut: the exit status, every
line printed (to a pipe, so buffered), the files written, the exit handlers' work (the scan's row cache
deleted), and a thread that is still running, which the ordinary exit waits for.
"""

import os
import subprocess
import sys
import textwrap

from test_csv_cache import _write


def _python(code, tmp_path, **env):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env})


def test_after_tensorflow_the_status_the_buffered_output_and_the_exit_handlers_survive(tmp_path):
    result = _python("""
        import atexit, pathlib, sys
        import tensorflow
        from netbuilder.cli_exit import end
        atexit.register(lambda: pathlib.Path("handled").write_text("yes"))
        print("said", end="")  # no line end: still in the buffer of a pipe
        print("warned", file=sys.stderr, end="")
        end(3)
        """, tmp_path)
    assert (result.returncode, result.stdout, result.stderr.strip()[-6:]) == (3, "said", "warned")
    assert (tmp_path / "handled").read_text() == "yes"


def test_a_thread_still_running_is_waited_for_as_the_ordinary_exit_does(tmp_path):
    result = _python("""
        import pathlib, threading, time
        import tensorflow
        from netbuilder.cli_exit import end
        threading.Thread(target=lambda: (time.sleep(0.5), pathlib.Path("done").write_text("yes"))).start()
        end(0)
        """, tmp_path)
    assert result.returncode == 0 and (tmp_path / "done").read_text() == "yes"


def test_netbuilder_train_leaves_its_run_whole_and_no_row_cache_behind(tmp_path):
    data, temp = tmp_path / "data.csv", tmp_path / "temp"
    temp.mkdir()
    _write(data)
    project = tmp_path / "p.nbproj"
    project.write_text("""{"format": "netbuilder", "version": 1, "name": "p", "graph": {
        "nodes": [{"id": "x", "layer": "Input", "config": {"shape": [4]}},
                  {"id": "y", "layer": "Dense", "config": {"units": 1}}],
        "edges": [{"source": "x", "target": "y"}]},
        "training": {"epochs": 2, "batch_size": 64, "validation_split": 0.2, "loss": "mean_squared_error"}}""")
    # The command as `python -m netbuilder` runs it, with a look at the temporary folder just before the
    # exit handlers run: the scan's float32 rows are there then, and must not be once the process is gone.
    result = _python(f"""
        import atexit, os, pathlib, sys
        handlers = atexit._run_exitfuncs
        def look_then_handle():
            print("cached", len(list(pathlib.Path(os.environ["TMPDIR"]).glob("*.f32"))), file=sys.stderr)
            handlers()
        atexit._run_exitfuncs = look_then_handle
        sys.argv = ["netbuilder", "train", {str(project)!r}, "--data", {str(data)!r}, "--target", "y",
                    "--out", {str(tmp_path / "run")!r}]
        from netbuilder.cli import command
        command()
        """, tmp_path, NETBUILDER_STREAM_CSV_MB="0", TMPDIR=str(temp))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("epoch 1/2") and lines[-1].startswith("run written to")
    assert "cached 1" in result.stderr  # the fast way out was taken, with the cache still there
    assert list(temp.glob("*.f32")) == []  # and the handlers deleted it
    history = (tmp_path / "run" / "history.csv").read_text().splitlines()
    assert len(history) == 3  # header and both epochs
    assert len((tmp_path / "run" / "health.csv").read_text().splitlines()) > 1
