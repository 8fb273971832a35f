"""`netbuilder export --format package`: a folder that trains the project wherever TensorFlow runs.

The folder holds `train.py` (the model as generated code, the settings and
the training), `netbuilder_runtime/` (copies of netbuilder's own loading,
splitting, strategy and preprocessing modules, which `train.py` imports:
`package_runtime`; with them the package needs nothing but TensorFlow), a
copy of the dataset in
`data/`, `dataset.json` (the project's dataset and training sections, for the
reader) and a README saying how to run it on one machine, on a cluster
(`TF_CONFIG`) or as a managed training job. `python DIR/train.py` reproduces
the run netbuilder would make: same initial weights, validation rows,
shuffling and batches, given the project's seed. Which data is copied in,
and which only with the user's consent, is `package_data`'s to say. The
folder is written under a temporary name beside the destination and renamed
at the end (`new_folder`), so a failed export leaves nothing half-written
and the next export to the same place removes what a killed one left.
"""

from __future__ import annotations

import ast
import errno
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from netbuilder import __version__
from netbuilder.catalog import Catalog
from netbuilder.export import package_data
from netbuilder.export.package_runtime import RUNTIME, write_runtime
from netbuilder.export.package_train import RUNTIME_IMPORTS, PackageLayout, package_code
from netbuilder.export.python_code import python_code
from netbuilder.export.python_training import wrapped_code
from netbuilder.graph import Project
from netbuilder.graph.atomic_file import new_folder
from netbuilder.keras_bridge.build import build_model
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec
from netbuilder.training.settings import TrainingSettings

TRAIN, DATASET_JSON, README, WEIGHTS = "train.py", "dataset.json", "README.md", "initial.weights.h5"


@dataclass(frozen=True)
class PackageExport:
    """What was written: the folder, its files (relative, `/`-separated) and whether the data was copied in."""

    path: Path
    files: list[str]
    data_copied: bool


def write_package(project: Project, out_dir: Path, catalog: Catalog | None = None, *,
                  include_outside_data: bool = False) -> PackageExport:
    """Write the training package for `project` into the new (or empty) folder `out_dir`.

    `include_outside_data` is the user's consent to copy dataset files from outside the project's folder.

    Raises:
        FileExistsError: `out_dir` holds files already.
        BridgeError: the graph does not make a model.
        OutsideDataError: the dataset lies outside the project's folder, and there is no consent to copy it.
        DatasetError, SettingsError: the project has no usable dataset or training settings.
        OSError: `out_dir` cannot be written (the error names `out_dir`).
    """
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise FileExistsError(errno.EEXIST, "is in the way; a training package goes into a new or empty folder",
                              str(out_dir))
    if "dataset" not in project.sections:
        raise DatasetError(f"{project.name}: has no dataset; choose the data to train on before exporting "
                           "a training package")
    spec = DatasetSpec.from_section(project.sections["dataset"])
    settings = TrainingSettings.from_section(project.sections.get("training"))
    built = build_model(project, catalog)  # with the project's own weights, as a netbuilder run starts
    with new_folder(out_dir) as work:
        base = project.path.parent if project.path is not None else None
        layout, copied = package_data.place_data(spec, base, work, include_outside_data=include_outside_data)
        weights = project.weights_path
        if weights is not None and weights.exists():
            built.model.save_weights(work / WEIGHTS)
            layout = replace(layout, initial_weights=WEIGHTS)
        inputs = [t.name for t in built.model.inputs]  # the names netbuilder's own run feeds
        write_runtime(work)
        (work / TRAIN).write_text(_train_script(project, catalog, inputs, list(built.model.output_names), layout),
                                  encoding="utf-8")
        (work / DATASET_JSON).write_text(json.dumps(_record(project, layout), indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
        (work / README).write_text(_readme(out_dir.name, layout, copied, bool(settings.tensorboard_dir)),
                                   encoding="utf-8")
    files = [TRAIN, RUNTIME, *([WEIGHTS] if layout.initial_weights else []), DATASET_JSON, README]
    files += [p for p in (layout.data, layout.validation) if p and copied]
    return PackageExport(out_dir, files, copied)


def _train_script(project: Project, catalog: Catalog | None, inputs: list[str], outputs: list[str],
                  layout: PackageLayout) -> str:
    """train.py: the model functions of the Python export, the settings and `train()`, the results, main."""
    model_imports, functions = _model_functions(project, catalog)
    imports = list(dict.fromkeys([*_IMPORTS, *model_imports]))
    third_party = [line for line in imports if line.split()[1].split(".")[0] in ("keras", "numpy", "tensorflow")]
    standard = [line for line in imports if line not in third_party]

    def ordered(lines: list[str]) -> list[str]:  # isort's order: plain imports, then `from` imports
        return sorted(lines, key=lambda line: (line.startswith("from"), line.split()[1]))

    runtime = [_runtime_import(module, names) for module, names in RUNTIME_IMPORTS.items()]
    head = "\n".join([_HEADER, "", *ordered(standard), "", *ordered(third_party), "", _RUNTIME_PATH, "", *runtime])
    training = package_code(project, inputs, outputs, layout)
    return "\n\n\n".join([head, functions, training, _RESULTS, _MAIN.rstrip("\n")]) + "\n"


def _runtime_import(module: str, names: list[str]) -> str:
    """`from netbuilder_runtime.MODULE import NAMES`, wrapped when long; it follows the sys.path line (E402)."""
    line = f"from {RUNTIME}.{module} import {', '.join(names)}"
    if len(line) <= 110:
        return f"{line}  # noqa: E402"
    return wrapped_code(f"from {RUNTIME}.{module} import (", names, ")  # noqa: E402", 0)


def _model_functions(project: Project, catalog: Catalog | None) -> tuple[list[str], str]:
    """The import lines and the `build_…` functions of the project's Python export, without its training half."""
    sections = {k: v for k, v in project.sections.items() if k not in ("training", "dataset")}
    script = python_code(replace(project, sections=sections), catalog)
    body = ast.parse(script).body
    imports = [ast.get_source_segment(script, node) or "" for node in body
               if isinstance(node, (ast.Import, ast.ImportFrom))]
    # The functions only: not the docstring, nor the script's own main block (train.py has its own).
    code = [node for node in body if not isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr, ast.If))]
    first = min([code[0].lineno, *(d.lineno for d in getattr(code[0], "decorator_list", []))])
    last = max(node.end_lineno or node.lineno for node in code)
    return imports, "\n".join(script.splitlines()[first - 1:last]).strip("\n")


_HEADER = '''"""Trains a model drawn in netbuilder, the way netbuilder trains it.

Generated by `netbuilder export --format package`; it needs only TensorFlow
(`pip install tensorflow`). `build_model()` is the model as drawn; running
this file loads the packaged dataset, trains with the project's settings and
seed, and writes model.keras and history.csv (`python train.py --help`).
With TF_CONFIG set, every machine of that cluster runs this same file and
they train together (MultiWorkerMirroredStrategy); see README.md.
"""'''


# The fixed part of train.py: the same for every project, it reads the settings written above it.
_IMPORTS = ["import argparse", "import csv", "import os", "import shutil", "import sys", "import tempfile",
            "from pathlib import Path", "import keras", "import tensorflow as tf"]

_RUNTIME_PATH = """HERE = Path(__file__).resolve().parent  # the package folder, wherever it is run from
# netbuilder_runtime/ beside this file holds copies of netbuilder's own loading, splitting and strategy code.
sys.path.insert(0, str(HERE))"""

_RESULTS = '''def save_results(history: keras.callbacks.History, output_dir: str) -> None:
    """model.keras and history.csv from the chief; the other workers write theirs to a temporary folder and drop it."""
    role = cluster_role()
    chief = role is None or role.is_chief
    folder = output_dir if chief else tempfile.mkdtemp()
    tf.io.gfile.makedirs(folder)  # tf.io.gfile also writes to gs:// (Vertex AI's AIP_MODEL_DIR)
    history.model.save(os.path.join(folder, "model.keras"))
    columns = history_columns(list(history.history))
    epochs = len(history.history["loss"])
    rows = [[i + 1, *(repr(float(history.history[c][i])) for c in columns[1:])] for i in range(epochs)]
    with tf.io.gfile.GFile(os.path.join(folder, "history.csv"), "w") as fh:
        csv.writer(fh, lineterminator="\\n").writerows([columns, *rows])
    if chief:
        print(f"Wrote model.keras and history.csv into {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)'''

_MAIN = '''if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Train the model as netbuilder does, on this machine or on "
                                                 "every machine of the cluster that TF_CONFIG describes.")
    parser.add_argument("--data", type=Path, default=DATA_PATH, help="the dataset (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="how many epochs (default: %(default)s)")
    parser.add_argument("--strategy", choices=["default", "mirrored", "multi-worker"],
                        help="how to distribute (default: multi-worker when TF_CONFIG is set, else "
                             f"{STRATEGY})")
    parser.add_argument("--output-dir", default=os.environ.get("AIP_MODEL_DIR") or os.environ.get("SM_MODEL_DIR")
                        or str(HERE / "output"), help="where the chief writes model.keras and history.csv "
                        "(default: $AIP_MODEL_DIR on Vertex AI, $SM_MODEL_DIR on SageMaker, else output/ here)")
    args = parser.parse_args()
    name = args.strategy or ("multi-worker" if os.environ.get("TF_CONFIG") else STRATEGY)
    try:
        # The strategy comes first: a multi-worker one must exist before TensorFlow runs anything.
        strategy = make_strategy(name)
        print(f"Strategy: {name} ({type(strategy).__name__}), {strategy.num_replicas_in_sync} replica(s) in sync")
        history = train(args.data, args.epochs, strategy)
    except (DatasetError, DistributeError) as exc:  # a sentence for the user, not a traceback
        raise SystemExit(str(exc)) from None
    save_results(history, args.output_dir)
'''


def _record(project: Project, layout: PackageLayout) -> dict[str, Any]:
    """dataset.json: the sections train.py was written from, and where the package keeps the data."""
    return {"project": project.name, "dataset": project.sections.get("dataset"),
            "training": project.sections.get("training", {}), "data": layout.data,
            "validation_data": layout.validation, "netbuilder": __version__}


def _readme(name: str, layout: PackageLayout, copied: bool, tensorboard: bool) -> str:
    data = f"| `{layout.data}` | a copy of the dataset |\n" if copied else ""
    if copied and layout.validation:
        data += f"| `{layout.validation}` | a copy of the validation file |\n"
    weights = (f"| `{WEIGHTS}` | the project's own weights, which training starts from |\n"
               if layout.initial_weights else "")
    far = "" if copied else (
        f"\nThe dataset is over {package_data.BIG_DATA_BYTES // 2**20} MB, too big to copy, so `train.py` reads it "
        f"from `{layout.data}`. On another machine, pass `--data PATH` with a copy it can read (on Vertex AI, "
        "`/gcs/BUCKET/…`).\n")
    extra = "pip install tensorboard       # the project logs to TensorBoard\n" if tensorboard else ""
    return _README.format(name=name, data=data, weights=weights, far=far, tensorboard=extra)


_README = """# Training package `{name}`

Written by `netbuilder export --format package`. It trains the model drawn in netbuilder on the
project's dataset with the project's settings; with the project's seed it reproduces netbuilder's
run (same initial weights, validation rows, shuffling and batches).

| file | what |
| --- | --- |
| `train.py` | the model (`build_model()`), the settings and the training; needs only TensorFlow |
| `netbuilder_runtime/` | netbuilder's own data loading, splitting and strategy code, which `train.py` imports |
{data}{weights}| `dataset.json` | the project's dataset and training settings, for reference (built into `train.py`) |
{far}
## Run it

```sh
pip install tensorflow        # 2.16 or later (Keras 3)
{tensorboard}python train.py               # --epochs N, --data PATH, --strategy, --output-dir DIR: see --help
```

It prints one line per epoch and writes `output/model.keras` and `output/history.csv` (one row
per epoch: `epoch,loss,val_loss,…`). `--strategy mirrored` trains on every GPU of the machine.

## On a cluster

Copy this folder to every machine and run the same command on each, with `TF_CONFIG` naming
all the machines and, in `task`, this one (index 0 on the first, 1 on the second, …):

```sh
TF_CONFIG='{{"cluster": {{"worker": ["host1:12345", "host2:12345"]}}, "task": {{"type": "worker", "index": 0}}}}' \\
    python train.py
```

With `TF_CONFIG` set, `train.py` trains under `tf.distribute.MultiWorkerMirroredStrategy`: the
batch size is the global one, each worker reads its own share of every batch, and the chief
(worker 0, or the `chief` task) writes the results while the others discard theirs.

## As a managed training job

**Vertex AI** custom job (gcloud builds a container from this folder with Docker):

```sh
gcloud ai custom-jobs create --region=us-central1 --display-name={name} \\
  --worker-pool-spec=machine-type=n1-standard-8,replica-count=1,executor-image-uri=us-docker.pkg.dev/vertex-ai/training/tf-cpu.2-17.py310:latest,local-package-path=.,script=train.py
```

Run it from this folder, with a prebuilt TensorFlow 2.16+ training image. Vertex AI sets
`TF_CONFIG` when the job has more worker pools (machines), and `AIP_MODEL_DIR` when it has an
output directory (`baseOutputDirectory` in a `--config` file); `train.py` writes its results
there. Without one, pass `--args=--output-dir=/gcs/BUCKET/DIR`.

**SageMaker** TensorFlow estimator:

```python
from sagemaker.tensorflow import TensorFlow

TensorFlow(entry_point="train.py", source_dir="{name}", role=ROLE, instance_count=2,
           instance_type="ml.m5.xlarge", framework_version="2.16", py_version="py310", model_dir=False,
           distribution={{"multi_worker_mirrored_strategy": {{"enabled": True}}}}).fit()
```

`model_dir=False` keeps SageMaker from passing a `--model_dir` argument; `train.py` writes to
`SM_MODEL_DIR`, which SageMaker uploads to S3 when the job ends.
"""
