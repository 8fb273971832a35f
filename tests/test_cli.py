"""The `netbuilder` command as a user runs it: real processes, exit codes, clean output."""

import subprocess
import sys

from helpers import EXAMPLES
from netbuilder.cli import main

WIDE = str(EXAMPLES / "wide_and_deep.nbproj")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "netbuilder", *args], capture_output=True, text=True, timeout=300)


def test_validate_prints_one_line_and_nothing_on_stderr():
    result = run("validate", WIDE)
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout == (
        f"{WIDE}: valid — 5 nodes, 4 edges; inputs wide (None, 10), deep (None, 8); "
        "outputs out (None, 1); 331 parameters\n"
    )


def test_subcommands_never_import_qt():
    code = (
        "import sys; from netbuilder.cli import main; "
        f"rc = main(['validate', {WIDE!r}]); "
        "bad = [m for m in ('PySide6', 'pyqtgraph', 'netbuilder.ui') if m in sys.modules]; "
        "print(rc, bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.stdout.strip().endswith("0 []"), result.stdout + result.stderr


def test_bad_project_gives_exit_1_and_no_traceback(tmp_path):
    path = tmp_path / "bad.nbproj"
    path.write_text("{")
    result = run("validate", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"{path}: not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2\n"


def test_version_and_usage(capsys):
    assert run("--version").stdout.startswith("netbuilder ")
    assert run("frobnicate").returncode == 2
    assert main(["--example"]) == 2
    assert "usage: netbuilder --example NAME" in capsys.readouterr().err


def test_export_needs_a_keras_suffix(tmp_path, capsys):
    assert main(["export", WIDE, "--format", "keras", "-o", str(tmp_path / "model.zip")]) == 1
    assert capsys.readouterr().err == f"{WIDE}: {tmp_path / 'model.zip'}: a Keras model file must end in .keras (or .weights.h5 for the weights alone)\n"


def test_import_needs_an_nbproj_target(tmp_path, capsys):
    assert main(["import", str(tmp_path / "m.keras"), "-o", str(tmp_path / "p.json")]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'p.json'}: the project file must end in .nbproj\n"


def test_export_keeps_the_previous_file_when_the_project_is_invalid(tmp_path, capsys):
    out = tmp_path / "model.keras"
    out.write_bytes(b"previous export")
    bad = tmp_path / "bad.nbproj"
    bad.write_text(
        '{"format": "netbuilder", "version": 1, "name": "b", "graph": {"nodes": '
        '[{"id": "x", "layer": "Input", "config": {"shape": [2]}}, {"id": "d", "layer": "Dense", "config": {"units": 0}}], '
        '"edges": [{"source": "x", "target": "d"}]}}'
    )
    assert main(["export", str(bad), "--format", "keras", "-o", str(out)]) == 1
    assert capsys.readouterr().err == f"{bad}: Dense 'd': units must be at least 1, got 0\n"
    assert out.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.nbproj", "model.keras"]


def test_a_layer_name_tensorflow_cannot_train_is_named_before_any_training(tmp_path, capsys):
    """Keras builds a layer called "my tip!", TensorFlow then refuses it mid-fit and mid-export."""
    import json

    doc = json.loads((EXAMPLES / "tips_regression.nbproj").read_text(encoding="utf-8"))
    doc["graph"]["nodes"][-1]["config"]["name"] = "my tip!"
    path = tmp_path / "tips.nbproj"
    path.write_text(json.dumps(doc), encoding="utf-8")
    expected = 'name "my tip!" can only use the letters A-Z and a-z, digits and _ . - >'
    for command in (["validate", str(path)], ["export", str(path), "--untrained", "--format", "savedmodel", "-o",
                                               str(tmp_path / "serving")]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert expected in err and 'try "my_tip"' in err and "Traceback" not in err
    assert not (tmp_path / "serving").exists()
