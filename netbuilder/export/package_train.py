"""The project-specific half of a training package's `train.py`: its settings as constants and `train()`.

`train()` trains the way a netbuilder run does, with netbuilder's own code:
the package carries copies of the real loading, splitting, strategy and
preprocessing modules (`package_runtime`), so `train.py` holds only what is
particular to the project — the dataset section (pointing at the package's
copy of the data), the model's names, the settings, `model.compile` with
them — and the order of the steps of `TrainingSession._prepare`: seed, build
inside the strategy's scope, load, adapt the preprocessing layers, compile,
batch, and for a multi-worker strategy mend Keras and shard a repeated
stream. The package's fixed parts (results, command line) are
`training_package`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from netbuilder.graph import Project
from netbuilder.export.python_code import literal
from netbuilder.export.python_training import (
    TrainingPlan, callbacks_code, compile_code, training_plan, wrapped_code,
)
from netbuilder.training.datasets.source import dataset_kind
from netbuilder.training.datasets.spec import DatasetSpec
from netbuilder.training.preflight import SPARSE_LOSSES, loss_key
from netbuilder.training.settings import TrainingSettings

# What train.py takes from the package's copy of netbuilder's modules (module -> names).
RUNTIME_IMPORTS = {"adapt": ["adapt_preprocessing", "adaptable_layers"],
                   "distribute": ["DistributeError", "cluster_role", "make_strategy", "mend_keras_for_multi_worker",
                                  "shard_by_data"],
                   "history_table": ["history_columns"], "load": ["load_dataset"],
                   "spec": ["DatasetError", "DatasetSpec"]}


@dataclass(frozen=True)
class PackageLayout:
    """Where `train.py` finds its files: paths relative to the package folder, or absolute ones."""

    data: str
    validation: str | None = None
    initial_weights: str | None = None  # the project's own weights, which netbuilder starts from


def package_code(project: Project, input_names: list[str], output_names: list[str],
                 layout: PackageLayout) -> str:
    """The constants, `load_data` and `train()` of the training package's `train.py`.

    Raises:
        DatasetError, SettingsError: the project has no usable dataset or settings, so nothing to train.
    """
    settings = TrainingSettings.from_section(project.sections.get("training"))  # raises with every bad field
    spec = DatasetSpec.from_section(project.sections.get("dataset"))
    plan = training_plan(project, input_names, output_names)
    assert plan is not None  # both sections were just read
    base = project.path.parent if project.path is not None else None
    # The package's copy of the data, read as netbuilder reads the original (a bundled set's kind included).
    dataset = {**project.sections["dataset"], "source": layout.data, "kind": dataset_kind(spec, base)}
    dataset.pop("validation_file", None)
    if layout.validation:
        dataset["validation_file"] = layout.validation
    task = "classification" if loss_key(settings.loss) in SPARSE_LOSSES else None
    constants = [f"DATASET = {literal(dataset)}  # the project's dataset section; paths relative to this folder",
                 f"DATA_PATH = {_path_code(layout.data)}",
                 f"INPUT_NAMES = {literal(input_names)}", f"OUTPUT_NAMES = {literal(output_names)}",
                 f"TEXT_INPUTS = {literal(plan.text_inputs)}  # inputs that take their column's text as written",
                 f"TASK = {literal(task)}  # a sparse loss makes numeric targets class labels"]
    if layout.initial_weights:
        constants.append(f"INITIAL_WEIGHTS = {_path_code(layout.initial_weights)}  # the project's own weights")
    constants += ["", f"EPOCHS = {settings.fit_epochs}  # with train_examples: one per evaluation",
                  f"BATCH_SIZE = {settings.batch_size}  # the global batch: a strategy splits it between replicas",
                  f"VALIDATION_SPLIT = {settings.validation_split!r}", f"SEED = {settings.seed!r}",
                  f"SHUFFLE = {settings.shuffle!r}",
                  f"STEPS_PER_EPOCH = {settings.fit_steps_per_epoch!r}  # None: each epoch reads the data once",
                  f"STRATEGY = {literal(settings.strategy)}  # the project's; TF_CONFIG or --strategy choose another"]
    return "\n\n\n".join(["\n".join(constants), _LOAD_DATA, _train(plan, layout)])


def _path_code(path: str) -> str:
    """A path as code: relative ones are relative to the package folder (HERE)."""
    if Path(path).is_absolute():
        return f"Path({literal(path)})"
    return " / ".join(["HERE", *(literal(part) for part in Path(path).parts)])


_LOAD_DATA = '''def load_data(data_path: Path):
    """The dataset split into training and validation rows by netbuilder's own loader, with the run's seed."""
    spec = DatasetSpec.from_section({**DATASET, "source": str(Path(data_path).resolve())})
    return load_dataset(spec, HERE, input_names=INPUT_NAMES, output_names=OUTPUT_NAMES,
                        validation_split=VALIDATION_SPLIT, seed=SEED, task=TASK, text_inputs=TEXT_INPUTS)'''


def _train(plan: TrainingPlan, layout: PackageLayout) -> str:
    lines = ["def train(data_path: Path, epochs: int, strategy: tf.distribute.Strategy) -> keras.callbacks.History:",
             '    """Fit as netbuilder does: the same validation rows, adapted layers, shuffling and batches."""']
    if plan.settings.seed is not None:
        lines.append("    keras.utils.set_random_seed(SEED)  # before building: it fixes the initial weights too")
    lines += ["    with strategy.scope():  # variables made here are mirrored on every replica",
              "        model = build_model()"]
    if layout.initial_weights:
        lines.append("        model.load_weights(INITIAL_WEIGHTS)")
    lines += ["    data = load_data(data_path)",
              "    if adaptable_layers(model):  # a Normalization's mean, a vocabulary: learnt from the training rows",
              '        features = data.tf_dataset("train", BATCH_SIZE, shuffle=False).map(lambda x, y: x)',
              "        adapt_preprocessing(model, features)",
              "    with strategy.scope():  # metric variables too: made outside, each worker would keep its own",
              compile_code(plan, 8),
              '    train_data = data.tf_dataset("train", BATCH_SIZE, shuffle=SHUFFLE, seed=SEED)',
              '    has_validation = data.validation is not None and data.n_rows("validation") > 0',
              "    validation_data = None",
              "    if has_validation:",
              '        validation_data = data.tf_dataset("validation", BATCH_SIZE, shuffle=False)',
              "    steps, validation_steps = STEPS_PER_EPOCH, None",
              "    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):",
              "        # Every worker must take the same number of steps or the collectives wait for ever, so an",
              "        # epoch is a whole number of global batches of a repeated stream, as netbuilder trains it.",
              "        mend_keras_for_multi_worker(model, strategy, train_data)",
              '        steps = steps or max(1, data.n_rows("train") // BATCH_SIZE)',
              "        train_data = shard_by_data(train_data.repeat())",
              "        if validation_data is not None:",
              '            validation_steps = max(1, data.n_rows("validation") // BATCH_SIZE)',
              "            validation_data = shard_by_data(validation_data.repeat())",
              "    elif steps:",
              "        train_data = train_data.repeat()  # epochs of fixed steps may span the data"]
    settings = plan.settings
    log_dir = _path_code(settings.tensorboard_dir) if settings.tensorboard_dir else ""
    callbacks = callbacks_code(plan, log_dir)
    if callbacks:
        lines.append(wrapped_code("callbacks = [", callbacks, "]", 4))
    fit = ["train_data", "validation_data=validation_data", "epochs=epochs", "steps_per_epoch=steps",
           "validation_steps=validation_steps", *(["callbacks=callbacks"] if callbacks else []), "shuffle=False",
           "verbose=2"]
    lines += ["    # tf.data shuffles the rows (above); fit's own shuffle would only warn.",
              wrapped_code("return model.fit(", fit, ")", 4)]
    return "\n".join(lines)
