"""The `netbuilder` command: validate, summary, import, export and train, headless.

Subcommands never import Qt, and import Keras only when they need it, so
`netbuilder --help` and `validate` of a broken file answer quickly. Exit
codes: 0 ok, 1 bad input (one clear line per problem on stderr, never a
traceback), 2 usage.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from netbuilder import __version__
from netbuilder.cli_common import BAD_INPUT, OK, USAGE, CommandError, load_project, say
from netbuilder.graph import ProjectFileError, project_file

if TYPE_CHECKING:  # argparse is imported where a subcommand is parsed: launching the editor needs none of it
    import argparse


def cmd_validate(args: argparse.Namespace) -> int:
    from netbuilder.keras_bridge import check_project
    from netbuilder.keras_bridge.messages import fmt_shape

    project = load_project(args.project)
    report = check_project(project)
    if report.problems:
        raise CommandError([f"{args.project}: {p}" for p in report.problems])
    graph, model = project.graph, report.model
    assert model is not None
    shapes = report.shapes()
    ins = ", ".join(f"{i} {fmt_shape(shapes[i][0])}" for i in graph.input_ids())  # type: ignore[index]
    outs = ", ".join(f"{o} {fmt_shape(shapes[o][0])}" for o in graph.output_ids())  # type: ignore[index]
    subs = f", {len(project.submodels)} sub-model(s)" if project.submodels else ""
    say(
        f"{args.project}: valid — {len(graph)} nodes, {len(graph.edges)} edges{subs}; "
        f"inputs {ins}; outputs {outs}; {model.count_params():,} parameters"
    )
    return OK


def cmd_summary(args: argparse.Namespace) -> int:
    from netbuilder.keras_bridge import build_model

    built = build_model(load_project(args.project))
    # Keras writes straight to the terminal unless given a print_fn: the model is named after the project.
    built.model.summary(print_fn=lambda text, **_: [say(line) for line in text.splitlines()])
    for note in built.notes:
        say(f"note: {note}", file=sys.stderr)
    return OK


def cmd_import(args: argparse.Namespace) -> int:
    from netbuilder.keras_bridge import import_model_file

    target = Path(args.output)
    if target.suffix != project_file.EXTENSION:
        raise CommandError([f"{target}: the project file must end in {project_file.EXTENSION}"])
    project = import_model_file(Path(args.model), target)
    subs = f" and {len(project.submodels)} sub-model(s)" if project.submodels else ""
    say(f"imported '{project.name}': {len(project.graph)} nodes{subs} → {target} (weights in {project.weights_path})")
    return OK


def build_parser() -> argparse.ArgumentParser:
    import argparse

    # Here, not at the top: opening the editor needs none of the subcommands, and every
    # millisecond before its window shows is one the user waits.
    from netbuilder.cli_export import EXPORT_FORMATS, QUANTIZE_MODES, cmd_export
    from netbuilder.cli_analyze import add_analyze_parser
    from netbuilder.cli_lr_find import add_lr_find_parser
    from netbuilder.cli_predict import add_predict_parser
    from netbuilder.cli_train import cmd_train, names
    from netbuilder.training.settings import STRATEGIES

    parser = argparse.ArgumentParser(
        prog="netbuilder",
        description="Build neural networks by drawing them. With no arguments, opens the editor.",
    )
    parser.add_argument("--version", action="version", version=f"netbuilder {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check a project; one line per problem")
    p.add_argument("project", help="a .nbproj file")
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("summary", help="print the Keras model.summary() of a project")
    p.add_argument("project", help="a .nbproj file")
    p.set_defaults(run=cmd_summary)

    p = sub.add_parser("import", help="turn a .keras/.h5 model into a project (weights kept beside it)")
    p.add_argument("model", help="a .keras or .h5 model file")
    p.add_argument("-o", "--output", required=True, help="the .nbproj file to write")
    p.set_defaults(run=cmd_import)

    p = sub.add_parser("export", help="write the model in another format")
    p.add_argument("project", help="a .nbproj file")
    p.add_argument("--format", required=True, choices=EXPORT_FORMATS,
                   help="keras: one .keras file (or .weights.h5); savedmodel: OUT/<YYYYmmddHHMMSS>/ for TF Serving; "
                        "python: a standalone Keras script; tflite: one .tflite file for TensorFlow Lite; "
                        "onnx: one .onnx file, checked with onnxruntime; "
                        "package: a folder with train.py, the data and a README, to train anywhere TensorFlow runs")
    p.add_argument("--untrained", action="store_true", help="export fresh, untrained weights")
    p.add_argument("--run", dest="run_dir", help="a training run folder whose weights to export (default: the latest run, else the project's weights)")
    p.add_argument("--include-outside-data", action="store_true",
                   help="package: copy the dataset even where it lies outside the project's folder")
    p.add_argument("--quantize", choices=QUANTIZE_MODES, default="none",
                   help="tflite: dynamic (int8 weights), float16 (float16 weights) or int8 (weights and "
                        "activations, calibrated on the project's training data; float32 inputs and outputs); "
                        "writes OUT.report.json and OUT.report.txt with size and metric, float vs quantized")
    p.add_argument("--check", action="store_true",
                   help="tflite, onnx, savedmodel: write nothing; list the layers the format cannot run "
                        "(one line each) and exit 1 if there are any")
    p.add_argument("-o", "--output", help="where to write (required unless --check)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("train", help="train a project on a dataset; one line per epoch",
                       description="Train the project's model. Flags override the training and dataset "
                                   "settings saved in the project.")
    p.add_argument("project", help="a .nbproj file")
    p.add_argument("--data", help="a .csv or .npz file, a folder of images in class sub-folders, or bundled:NAME")
    p.add_argument("--target", help="the target column(s), comma-separated")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--optimizer", help="a Keras optimizer name, e.g. adam, sgd, rmsprop")
    p.add_argument("--loss", help="a Keras loss name, e.g. mean_squared_error")
    p.add_argument("--metrics", type=names, help="metric names, comma-separated, e.g. rmse,mae")
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--validation-split", type=float, help="the fraction of rows held out, e.g. 0.2")
    p.add_argument("--seed", type=int, help="a fixed seed repeats a run exactly")
    p.add_argument("--train-examples", type=int, metavar="N",
                   help="train on N examples in all, the data repeating as needed (virtual epochs)")
    p.add_argument("--evaluations", type=int, metavar="N",
                   help="with --train-examples: evaluate N times on the way, one line each (default: the epochs)")
    p.add_argument("--strategy", choices=STRATEGIES,
                   help="tf.distribute strategy: default (one device), mirrored (every local GPU), "
                        "multi-worker (the cluster in TF_CONFIG)")
    p.add_argument("--local-workers", type=int, metavar="N",
                   help="run a multi-worker cluster of N processes on this machine (loopback, free ports)")
    p.add_argument("--cpu-devices", type=int, metavar="N",
                   help="show the CPU as N logical devices, to try mirrored without GPUs")
    p.add_argument("--out", required=True, help="the run folder to write (history.csv, model.keras, …)")
    p.set_defaults(run=cmd_train)

    add_predict_parser(sub)
    add_analyze_parser(sub)
    add_lr_find_parser(sub)
    return parser


def _open_editor(argv: list[str]) -> int:
    """`netbuilder`, `netbuilder P.nbproj` or `netbuilder --example NAME`: the desktop editor."""
    path: Path | None = None
    example: str | None = None
    if argv and argv[0] == "--example":
        if len(argv) != 2:
            print("usage: netbuilder --example NAME", file=sys.stderr)
            return USAGE
        example = argv[1]
        from netbuilder.resources import example_names

        if example not in example_names():
            say(f"netbuilder: no example called '{example}'; there are: {', '.join(example_names())}", file=sys.stderr)
            return BAD_INPUT
    elif argv:
        path = Path(argv[0])
        if not path.is_file():
            say(f"netbuilder: {path}: no such project file", file=sys.stderr)
            return BAD_INPUT
    from netbuilder.qt_platform import (
        PlatformProbe,
        missing_from_import_error,
        missing_message,
    )

    probe = PlatformProbe()  # asks now, in another process, while Qt is imported below
    try:
        from netbuilder.ui.app import run  # Qt is imported only on this path
    except ImportError as exc:
        missing = missing_from_import_error(exc)
        if not missing:
            raise
        print(missing_message(missing), file=sys.stderr)
        return BAD_INPUT
    return run(path=path, example=example, probe=probe)


def command() -> None:
    """The `netbuilder` command itself (and `python -m netbuilder`): `main`, then out of the process at once
    where TensorFlow's teardown would only make the user wait (`cli_exit`)."""
    from netbuilder.cli_exit import end

    argv = sys.argv[1:]
    end(main(argv), editor=_opens_editor(argv))


def _opens_editor(argv: list[str]) -> bool:
    return not argv or (len(argv) == 1 and argv[0].endswith(project_file.EXTENSION)) or argv[0] == "--example"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if _opens_editor(argv):
        return _open_editor(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    if args.command is None:
        build_parser().print_usage(sys.stderr)
        return USAGE
    run: Callable[[argparse.Namespace], int] = args.run
    if args.command == "train":
        from netbuilder.cli_train import scan_data_ahead

        scan_data_ahead(args)  # before `_guarded` imports TensorFlow, which the scan then overlaps
    return _guarded(run, args)


def _guarded(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a subcommand, turning every kind of bad input into lines on stderr."""
    from netbuilder.keras_bridge.errors import BridgeError
    from netbuilder.training.datasets.spec import DatasetError
    from netbuilder.training.settings import SettingsError

    try:
        return run(args)
    except CommandError as exc:
        lines = exc.lines
    except ProjectFileError as exc:
        lines = [f"{exc.source}: {problem}" for problem in exc.problems]  # one line each, whatever they hold
    except BridgeError as exc:
        prefix = f"{getattr(args, 'project', '')}: " if getattr(args, "project", None) else ""
        lines = [f"{prefix}{p}" for p in exc.problems]
    except SettingsError as exc:
        lines = exc.problems
    except DatasetError as exc:
        lines = str(exc).splitlines()
    except OSError as exc:
        lines = [f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")]
    for line in lines:
        say(line, file=sys.stderr)
    return BAD_INPUT


if __name__ == "__main__":
    command()
