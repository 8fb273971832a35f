"""The `netbuilder` command: validate, summary, import, export and train, headless.

Subcommands never import Qt, and import Keras only when they need it, so
`netbuilder --help` and `validate` of a broken file answer quickly. Exit
codes: 0 ok, 1 bad input (one clear line per problem on stderr, never a
traceback), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from netbuilder import __version__
from netbuilder.graph import Project, ProjectFileError
from netbuilder.graph import project_file

from netbuilder.training.settings import STRATEGIES

if TYPE_CHECKING:
    from netbuilder.training.datasets.spec import DatasetSpec
    from netbuilder.training.distribute import ClusterRole
    from netbuilder.training.settings import TrainingSettings

OK, BAD_INPUT, USAGE = 0, 1, 2
EXPORT_FORMATS = ("keras", "savedmodel", "python", "tflite")
# `netbuilder train` flags that override a field of the project's training settings.
TRAIN_FLAGS = {"--epochs": "epochs", "--batch-size": "batch_size", "--optimizer": "optimizer", "--loss": "loss",
               "--metrics": "metrics", "--learning-rate": "learning_rate",
               "--validation-split": "validation_split", "--seed": "seed", "--strategy": "strategy"}


class CommandError(Exception):
    """Bad input found by a subcommand; its lines go to stderr and the exit code is 1."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def _load(path: str) -> Project:
    return project_file.load(Path(path))


def cmd_validate(args: argparse.Namespace) -> int:
    from netbuilder.keras_bridge import check_project
    from netbuilder.keras_bridge.messages import fmt_shape

    project = _load(args.project)
    report = check_project(project)
    if report.problems:
        raise CommandError([f"{args.project}: {p}" for p in report.problems])
    graph, model = project.graph, report.model
    assert model is not None
    shapes = report.shapes()
    ins = ", ".join(f"{i} {fmt_shape(shapes[i][0])}" for i in graph.input_ids())  # type: ignore[index]
    outs = ", ".join(f"{o} {fmt_shape(shapes[o][0])}" for o in graph.output_ids())  # type: ignore[index]
    subs = f", {len(project.submodels)} sub-model(s)" if project.submodels else ""
    print(
        f"{args.project}: valid — {len(graph)} nodes, {len(graph.edges)} edges{subs}; "
        f"inputs {ins}; outputs {outs}; {model.count_params():,} parameters"
    )
    return OK


def cmd_summary(args: argparse.Namespace) -> int:
    from netbuilder.keras_bridge import build_model

    built = build_model(_load(args.project))
    built.model.summary()
    for note in built.notes:
        print(f"note: {note}", file=sys.stderr)
    return OK


def cmd_import(args: argparse.Namespace) -> int:
    from netbuilder.keras_bridge import import_model_file

    target = Path(args.output)
    if target.suffix != project_file.EXTENSION:
        raise CommandError([f"{target}: the project file must end in {project_file.EXTENSION}"])
    project = import_model_file(Path(args.model), target)
    subs = f" and {len(project.submodels)} sub-model(s)" if project.submodels else ""
    print(f"imported '{project.name}': {len(project.graph)} nodes{subs} → {target} (weights in {project.weights_path})")
    return OK


def cmd_export(args: argparse.Namespace) -> int:
    project = _load(args.project)
    out = Path(args.output)
    if args.format == "python":
        return _export_python(project, out, args)
    from netbuilder.keras_bridge.export import check_model_file_name, save_model_file
    from netbuilder.keras_bridge.tflite import check_tflite_name, export_tflite

    if args.format == "keras":
        check_model_file_name(out)
    if args.format == "tflite":
        check_tflite_name(out)
    built = _built_for_export(project, args)
    if args.format == "savedmodel":
        return _export_savedmodel(built.model, out)
    if args.format == "tflite":
        result = export_tflite(built.model, out)
        print(f"wrote {out} ({result.size_bytes:,} bytes)")
        for note in result.notes():
            print(f"note: {note}", file=sys.stderr)
        if result.answers_differently:
            raise CommandError([f"{out}: reloaded with tf.lite.Interpreter, it answers differently from the Keras "
                                f"model (largest difference {result.max_difference:.3g})"])
        if result.verified:
            print(f"verified: reloaded with tf.lite.Interpreter, it answers like the Keras model "
                  f"(largest difference {result.max_difference:.2g})")
        return OK
    save_model_file(built.model, out)
    print(f"wrote {out} ({built.model.count_params():,} parameters)")
    return OK


def _built_for_export(project: Project, args: argparse.Namespace):  # -> Built
    """The model with the weights asked for: --untrained, --run DIR, else the latest run, else the project's."""
    from netbuilder.keras_bridge.export import built_with_weights
    from netbuilder.training.runs import runs_root, runs_with_model

    if args.untrained and args.run_dir:
        raise CommandError(["--run and --untrained: choose one"])
    run = Path(args.run_dir) if args.run_dir else None
    if run is None and not args.untrained and project.path is not None:
        latest = runs_with_model(runs_root(project.path, project.name))
        run = latest[0].path if latest else None
    built = built_with_weights(project, run=run, untrained=args.untrained)
    if args.untrained:
        print("weights: untrained (fresh initial values)", file=sys.stderr)
    else:
        print(f"weights: {'the run ' + str(run) if run else 'the project' + chr(39) + 's own'}", file=sys.stderr)
    for note in built.notes:
        print(f"note: {note}", file=sys.stderr)
    return built


def _export_python(project: Project, out: Path, args: argparse.Namespace) -> int:
    from netbuilder.keras_bridge.python_code import python_code

    if args.run_dir or args.untrained:
        raise CommandError(["a Python script rebuilds the model from code, without weights; export a run's weights "
                            "with --format keras -o NAME.weights.h5 and load them with model.load_weights"])
    if out.suffix != ".py":
        raise CommandError([f"{out}: a Python script must end in .py"])
    project_file.atomic_write_text(out, python_code(project))
    trains = "def train(" in out.read_text(encoding="utf-8")
    print(f"wrote {out} (build_model() and train(); python {out.name} --help)" if trains
          else f"wrote {out} (build_model(); import it and call build_model())")
    return OK


def _export_savedmodel(model: Any, out: Path) -> int:
    from netbuilder.keras_bridge.savedmodel import export_savedmodel

    result = export_savedmodel(model, out)
    print(f"wrote {result.path} (signature serving_default: inputs {', '.join(result.inputs)}; "
          f"outputs {', '.join(result.outputs)})")
    if not result.verified:
        raise CommandError([f"{result.path}: reloaded with tf.saved_model.load, it answers differently from the "
                            f"Keras model (largest difference {result.max_difference:.3g})"])
    print(f"verified: reloaded with tf.saved_model.load, it answers like the Keras model "
          f"(largest difference {result.max_difference:.2g})")
    return OK


def cmd_train(args: argparse.Namespace) -> int:
    from netbuilder.training.events import EpochEnd, Event, Preparing
    from netbuilder.training.runs import CURVES, HISTORY, MODEL, SETTINGS
    from netbuilder.training.session import TrainingSession

    if args.cpu_devices is not None and args.local_workers is None:
        _split_cpu(args.cpu_devices)  # before anything starts TensorFlow
    project = _load(args.project)
    settings = _train_settings(project, args)
    spec = _train_dataset(project, args)
    role = _cluster_role(settings) if args.local_workers is None else None
    if role is not None:
        # Collective ops are set up before anything else runs on TensorFlow (checking names does).
        from netbuilder.training.distribute import make_strategy

        make_strategy(settings.strategy)
    _check_names(settings)
    if args.local_workers is not None:
        return _train_local_cluster(args, settings)
    if role is not None and not role.is_chief:
        return _train_as_worker(project, spec, settings, role)
    previous = 0.0

    def report(event: Event) -> None:
        nonlocal previous
        if isinstance(event, Preparing) and event.message.startswith("Training with"):
            print(event.message, flush=True)
        if isinstance(event, EpochEnd):
            values = "  ".join(f"{k} {_number(v)}" for k, v in event.logs.items())
            seconds = event.elapsed - previous
            print(f"epoch {event.epoch}/{settings.epochs}  {values}  ({seconds:.{2 if seconds < 1 else 1}f} s)",
                  flush=True)
            previous = event.elapsed

    out = Path(args.out)
    result = TrainingSession(project, spec, settings, out, run_dir=out, listener=report, queue_events=False).run()
    if result.run_dir is not None:
        written = [name for name in (HISTORY, MODEL, SETTINGS, CURVES) if (result.run_dir / name).exists()]
        print(f"run written to {result.run_dir} ({', '.join(written)})")
    if result.status != "completed":
        raise CommandError([result.message])
    if result.message.startswith("Early stopping"):
        print(result.message)
    return OK


def _split_cpu(count: int) -> None:
    from netbuilder.training.distribute import DistributeError, split_cpu

    try:
        split_cpu(count)
    except DistributeError as exc:
        raise CommandError([str(exc)]) from None


def _cluster_role(settings: TrainingSettings) -> ClusterRole | None:
    from netbuilder.training.distribute import DistributeError, check_strategy

    try:
        return check_strategy(settings.strategy)
    except DistributeError as exc:
        raise CommandError([str(exc)]) from None


def _train_as_worker(project: Project, spec: DatasetSpec, settings: TrainingSettings, role: ClusterRole) -> int:
    """A non-chief worker trains its share in a scratch folder; the chief alone writes the run."""
    import shutil
    import tempfile

    from netbuilder.training.session import TrainingSession

    scratch = Path(tempfile.mkdtemp(prefix="netbuilder-worker-"))
    try:
        result = TrainingSession(project, spec, settings, scratch, run_dir=scratch, queue_events=False).run()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if result.status != "completed":
        raise CommandError([f"{role.describe()}: {result.message}"])
    print(f"{role.describe()}: done; the chief writes the run")
    return OK


def _train_local_cluster(args: argparse.Namespace, settings: TrainingSettings) -> int:
    """`--local-workers N`: run this same command as N multi-worker processes on loopback."""
    from netbuilder.training.local_cluster import LocalCluster

    if args.local_workers < 1:
        raise CommandError([f"--local-workers must be at least 1, got {args.local_workers}"])
    if args.strategy not in (None, "multi-worker"):
        raise CommandError([f"--local-workers starts a multi-worker cluster; drop --strategy {args.strategy}"])
    cluster = LocalCluster([*_without_local_workers(args.argv[1:]), "--strategy", "multi-worker"],
                           args.local_workers)
    cluster.start()
    addresses = ", ".join(f"localhost:{p}" for p in cluster.ports)
    print(f"started {args.local_workers} local workers on {addresses} (pids "
          f"{', '.join(map(str, cluster.pids()))}); worker 0 is the chief", file=sys.stderr, flush=True)
    ok, message = cluster.run()
    if not ok:
        raise CommandError([message])
    return OK


def _without_local_workers(argv: list[str]) -> list[str]:
    """The train arguments minus `--local-workers N` and `--strategy X` (each worker gets its own)."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--local-workers", "--strategy"):
            skip = True
        elif not arg.startswith(("--local-workers=", "--strategy=")):
            kept.append(arg)
    return kept


def _train_settings(project: Project, args: argparse.Namespace) -> TrainingSettings:
    """The project's `training` section with the flags laid over it; every bad value in one error."""
    from netbuilder.training.settings import SettingsError, TrainingSettings

    try:
        settings = TrainingSettings.from_section(project.sections.get("training"))
    except SettingsError as exc:
        raise CommandError([f"{args.project}: {p}" for p in exc.problems]) from None
    for flag, field in TRAIN_FLAGS.items():
        value = getattr(args, field)
        if value is not None:
            setattr(settings, field, value)
    problems = [_as_flag(p, args) for p in settings.problems()]
    if problems:
        raise CommandError(problems)
    return settings


def _check_names(settings: TrainingSettings) -> None:
    """Unknown optimizer, loss or metric names, all at once (this starts TensorFlow)."""
    from netbuilder.training.keras_objects import check_names

    problems = check_names(settings.optimizer, settings.loss, settings.metrics)
    if problems:
        raise CommandError(problems)


def _as_flag(problem: str, args: argparse.Namespace) -> str:
    """`epochs must be at least 1` → `--epochs must be at least 1` when the value came from that flag."""
    for flag, field in TRAIN_FLAGS.items():
        if problem.startswith(field) and getattr(args, field) is not None:
            return flag + problem[len(field):]
    return f"{args.project}: training.{problem}"


def _train_dataset(project: Project, args: argparse.Namespace) -> DatasetSpec:
    """The project's `dataset` section, with `--data` and `--target` laid over it."""
    from netbuilder.training.datasets.spec import BUNDLED_PREFIX, DatasetError, DatasetSpec

    section = project.sections.get("dataset")
    try:
        spec = DatasetSpec.from_section(section) if section is not None else None
    except DatasetError as exc:
        raise CommandError([f"{args.project}: {p}" for p in str(exc).splitlines()]) from None
    data = args.data
    if data is not None and not data.startswith(BUNDLED_PREFIX):
        # A path typed on the command line is relative to where the user is, not to the project.
        data = str(Path(data).expanduser().absolute())
    if data is not None and (spec is None or not _same_source(spec, data, project)):
        # Another source: the saved kind and validation file described the old one.
        spec = DatasetSpec(source=data) if spec is None else replace(spec, source=data, kind=None,
                                                                      validation_file=None)
    if spec is None:
        raise CommandError([f"{args.project}: no dataset; give --data FILE (and --target COLUMN)"])
    if args.target is not None:
        spec.target = _names(args.target)
    return spec


def _same_source(spec: DatasetSpec, data: str, project: Project) -> bool:
    """Whether `--data` names the source the project's dataset section already names."""
    if spec.source == data:
        return True
    from netbuilder.training.datasets.spec import BUNDLED_PREFIX

    if spec.bundled_name is not None or data.startswith(BUNDLED_PREFIX):
        return False
    base = project.path.parent if project.path is not None else None
    return spec.resolve(spec.source, base).absolute() == Path(data)


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def _number(value: float) -> str:
    return f"{value:.4f}" if abs(value) < 1e5 else f"{value:.4g}"


def build_parser() -> argparse.ArgumentParser:
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
                        "python: a standalone Keras script; tflite: one .tflite file for TensorFlow Lite")
    p.add_argument("--untrained", action="store_true", help="export fresh, untrained weights")
    p.add_argument("--run", dest="run_dir", help="a training run folder whose weights to export (default: the latest run, else the project's weights)")
    p.add_argument("-o", "--output", required=True, help="where to write")
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
    p.add_argument("--metrics", type=_names, help="metric names, comma-separated, e.g. rmse,mae")
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--validation-split", type=float, help="the fraction of rows held out, e.g. 0.2")
    p.add_argument("--seed", type=int, help="a fixed seed repeats a run exactly")
    p.add_argument("--strategy", choices=STRATEGIES,
                   help="tf.distribute strategy: default (one device), mirrored (every local GPU), "
                        "multi-worker (the cluster in TF_CONFIG)")
    p.add_argument("--local-workers", type=int, metavar="N",
                   help="run a multi-worker cluster of N processes on this machine (loopback, free ports)")
    p.add_argument("--cpu-devices", type=int, metavar="N",
                   help="show the CPU as N logical devices, to try mirrored without GPUs")
    p.add_argument("--out", required=True, help="the run folder to write (history.csv, model.keras, …)")
    p.set_defaults(run=cmd_train)
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
            print(f"netbuilder: no example called '{example}'; there are: {', '.join(example_names())}", file=sys.stderr)
            return BAD_INPUT
    elif argv:
        path = Path(argv[0])
        if not path.is_file():
            print(f"netbuilder: {path}: no such project file", file=sys.stderr)
            return BAD_INPUT
    from netbuilder.ui.app import run  # Qt is imported only on this path

    return run(path=path, example=example)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (len(argv) == 1 and argv[0].endswith(project_file.EXTENSION)) or argv[0] == "--example":
        return _open_editor(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    if args.command is None:
        build_parser().print_usage(sys.stderr)
        return USAGE
    run: Callable[[argparse.Namespace], int] = args.run
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
        lines = str(exc).splitlines()
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
        print(line, file=sys.stderr)
    return BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
