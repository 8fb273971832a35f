"""`netbuilder export`: the model as `.keras`, weights, a SavedModel, TFLite, a Python script or a training package.

`--check` writes nothing: it lists the layers TFLite, ONNX or TF Serving cannot run (export.deploy_check).

Keras is imported only once a format needs it; every refusal is a `CommandError` line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from netbuilder.cli_common import BAD_INPUT, OK, USAGE, CommandError, load_project, say
from netbuilder.graph import Project
from netbuilder.graph.atomic_file import atomic_write_text

EXPORT_FORMATS = ("keras", "savedmodel", "python", "tflite", "onnx", "package")
QUANTIZE_MODES = ("none", "dynamic", "float16", "int8")  # --quantize, TFLite only (export.tflite_quantize)


def cmd_export(args: argparse.Namespace) -> int:
    if args.output is None and not args.check:
        say("netbuilder export: error: the following arguments are required: -o/--output", file=sys.stderr)
        return USAGE
    project = load_project(args.project)
    if args.check:
        return _check_deployment(project, args.format)
    out = Path(args.output)
    if args.quantize != "none" and args.format != "tflite":
        raise CommandError([f"--quantize {args.quantize}: quantization applies to --format tflite only"])
    if args.format == "python":
        return _export_python(project, out, args)
    if args.format == "package":
        return _export_package(project, out, args)
    from netbuilder.keras_bridge.export import check_model_file_name, save_model_file
    from netbuilder.export.tflite import check_tflite_name, export_tflite

    if args.format == "keras":
        check_model_file_name(out)
    if args.format == "tflite":
        check_tflite_name(out)
    if args.format == "onnx":
        from netbuilder.export.onnx_export import check_onnx_name

        check_onnx_name(out)
    run = chosen_run(project, args.run_dir, untrained=args.untrained)
    built = _built_for_export(project, args, run)
    if args.format == "savedmodel":
        return _export_savedmodel(project, built.model, run, out)
    if args.format == "onnx":
        return _export_onnx(built.model, out)
    if args.format == "tflite" and args.quantize != "none":
        return _export_quantized(project, built.model, run, out, args.quantize)
    if args.format == "tflite":
        result = export_tflite(built.model, out)
        say(f"wrote {out} ({result.size_bytes:,} bytes)")
        for note in result.notes():
            say(f"note: {note}", file=sys.stderr)
        if result.answers_differently:
            raise CommandError([f"{out}: reloaded with tf.lite.Interpreter, it answers differently from the Keras "
                                f"model (largest difference {result.max_difference:.3g})"])
        if result.verified:
            say(f"verified: reloaded with tf.lite.Interpreter, it answers like the Keras model "
                f"(largest difference {result.max_difference:.2g})")
        return OK
    save_model_file(built.model, out)
    say(f"wrote {out} ({built.model.count_params():,} parameters)")
    return OK


def chosen_run(project: Project, run_dir: str | None, *, untrained: bool = False) -> Path | None:
    """The run whose weights a command uses: --run DIR, else the latest run with a model, else None
    (the project's own weights, or untrained ones)."""
    from netbuilder.training.runs import runs_root, runs_with_model

    if untrained and run_dir:
        raise CommandError(["--run and --untrained: choose one"])
    run = Path(run_dir) if run_dir else None
    if run is None and not untrained and project.path is not None:
        latest = runs_with_model(runs_root(project.path, project.name))
        run = latest[0].path if latest else None
    return run


def _built_for_export(project: Project, args: argparse.Namespace, run: Path | None):  # -> Built
    """The model with the weights asked for: --untrained, else those of `run`, else the project's."""
    from netbuilder.keras_bridge.export import built_with_weights

    built = built_with_weights(project, run=run, untrained=args.untrained)
    if args.untrained:
        say("weights: untrained (fresh initial values)", file=sys.stderr)
    else:
        say(f"weights: {'the run ' + str(run) if run else 'the project' + chr(39) + 's own'}", file=sys.stderr)
    for note in built.notes:
        say(f"note: {note}", file=sys.stderr)
    return built


def _export_python(project: Project, out: Path, args: argparse.Namespace) -> int:
    from netbuilder.export.python_code import python_code

    if args.run_dir or args.untrained:
        raise CommandError(["a Python script rebuilds the model from code, without weights; export a run's weights "
                            "with --format keras -o NAME.weights.h5 and load them with model.load_weights"])
    if out.suffix != ".py":
        raise CommandError([f"{out}: a Python script must end in .py"])
    atomic_write_text(out, python_code(project))
    trains = "def train(" in out.read_text(encoding="utf-8")
    say(f"wrote {out} (build_model() and train(); python {out.name} --help)" if trains
        else f"wrote {out} (build_model(); import it and call build_model())")
    return OK


def _export_package(project: Project, out: Path, args: argparse.Namespace) -> int:
    from netbuilder.export.training_package import write_package
    from netbuilder.training.datasets.sharing import OutsideDataError

    if args.run_dir or args.untrained:
        raise CommandError(["a training package trains the model from the start, as netbuilder would; "
                            "--run and --untrained do not apply"])
    try:
        result = write_package(project, out, include_outside_data=args.include_outside_data)
    except OutsideDataError as exc:  # a project from someone else must not pick what this user uploads
        raise CommandError([f"{exc}; to copy it into the package anyway, add --include-outside-data"]) from None
    listed = ", ".join(f"{name}/…" if (out / name).is_dir() else name for name in result.files)
    say(f"wrote {out} ({listed}); run: python {out / 'train.py'}")
    if not result.data_copied:
        say("note: the dataset is too big to copy; train.py reads it where it is (see README.md)", file=sys.stderr)
    return OK


def _export_savedmodel(project: Project, model: Any, run: Path | None, out: Path) -> int:
    """A model trained on a CSV file serves raw columns by name (with columns.json and example_request.json);
    any other model serves its own inputs."""
    from netbuilder.export.raw_serving import export_for_serving

    served = export_for_serving(project, model, run, out)
    result = served.result
    if served.note:
        say(f"note: {served.note}", file=sys.stderr)
    say(f"wrote {result.path} (signature serving_default: inputs {', '.join(result.inputs)}; "
        f"outputs {', '.join(result.outputs)})")
    if served.raw_rows:
        say(f"raw rows: {result.path / 'columns.json'} lists the columns; {result.path / 'example_request.json'} "
            "is a TF Serving request")
    if served.raw_images:
        say(f"raw images: serving_default takes encoded PNG/JPEG/GIF/BMP files, serving_arrays pixel arrays of any "
            f"size; {result.path / 'example_request.json'} is a TF Serving request")
    if not result.verified:
        raise CommandError([f"{result.path}: reloaded with tf.saved_model.load, it answers differently from the "
                            f"Keras model (largest difference {result.max_difference:.3g})"])
    say(f"verified: reloaded with tf.saved_model.load, it answers like the Keras model "
        f"(largest difference {result.max_difference:.2g})")
    return OK


def _export_quantized(project: Project, model: Any, run: Path | None, out: Path, mode: str) -> int:
    """A quantized .tflite file and its report beside it; one line says what quantizing cost."""
    from netbuilder.export.tflite_quantize import export_quantized

    written = export_quantized(project, model, out, mode, run)
    for note in written.result.notes():
        say(f"note: {note}", file=sys.stderr)
    json_report, text_report = written.report_files
    say(f"wrote {out}: {written.report.summary()}; report: {json_report.name}, {text_report.name}")
    return OK


def _export_onnx(model: Any, out: Path) -> int:
    from netbuilder.export.onnx_export import export_onnx

    result = export_onnx(model, out)
    say(f"wrote {out} ({result.size_bytes:,} bytes; inputs {', '.join(result.inputs)}; "
        f"outputs {', '.join(result.outputs)})")
    if not result.verified:
        raise CommandError([f"{out}: run with onnxruntime, it answers differently from the Keras model "
                            f"(largest difference {result.max_difference:.3g})"])
    say(f"verified: run with onnxruntime, it answers like the Keras model "
        f"(largest difference {result.max_difference:.2g})")
    return OK


def _check_deployment(project: Project, fmt: str) -> int:
    """--check: one line per layer `fmt` cannot run (as the editor marks its card), exit 1 if any."""
    from netbuilder.keras_bridge.checks import ProjectChecker
    from netbuilder.export.deploy_check import TARGETS, deployment_findings
    from netbuilder.keras_bridge.errors import BridgeError

    if fmt not in TARGETS:
        raise CommandError([f"--check applies to --format {', '.join(TARGETS)}, not {fmt}"])
    checker = ProjectChecker(project)
    problems = checker.check().problems
    if problems:
        raise BridgeError(problems)
    findings = deployment_findings(project, fmt, checker)
    for finding in findings:
        node = project.graph.node(finding.node_id)
        say(f"{finding.node_id}: {finding.layer} '{node.name}': {finding.sentence()}")
    if findings:
        say(f"{len(findings)} layer(s) cannot be deployed to {TARGETS[fmt].label}", file=sys.stderr)
        return BAD_INPUT
    say(f"ok: every layer can be deployed to {TARGETS[fmt].label}")
    return OK
