"""Compile and fit settings: the `training` section of the project file.

`TrainingSettings` is plain data that round-trips through JSON, read with the
same care as the project file itself: every bad field is collected and named
(`training.epochs: must be at least 1, got 0`) before anything is built. No
Keras here — whether an optimizer, loss or metric *name* exists is Keras'
business and is checked by `keras_objects` when the run is compiled, so the
GUI can show and edit settings before TensorFlow has loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# tf.distribute strategies a run may use: one device, every local GPU (MirroredStrategy), or the
# cluster TF_CONFIG describes (MultiWorkerMirroredStrategy).
STRATEGIES = ("default", "mirrored", "multi-worker")


class SettingsError(ValueError):
    """Settings that cannot be used; `problems` holds one sentence per bad field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class EarlyStopping:
    """Stop when `monitor` has not improved for `patience` epochs (keras.callbacks.EarlyStopping)."""

    monitor: str = "val_loss"
    patience: int = 5
    restore_best_weights: bool = True


@dataclass
class ReduceLR:
    """Multiply the learning rate by `factor` after `patience` epochs without improvement."""

    monitor: str = "val_loss"
    factor: float = 0.5
    patience: int = 3
    min_lr: float = 0.0


@dataclass
class TrainingSettings:
    """How the model is compiled and fitted. `seed` None means a different run each time."""

    optimizer: str = "adam"
    learning_rate: float = 0.001
    loss: str = "mean_squared_error"
    metrics: list[str] = field(default_factory=lambda: ["rmse"])
    epochs: int = 10
    batch_size: int = 32
    validation_split: float = 0.2
    steps_per_epoch: int | None = None
    # Virtual epochs: train on this many examples in all, evaluating this many times on the way. The
    # data repeats as needed, so a run's length is set in examples, not in passes over a file of any size.
    train_examples: int | None = None
    evaluations: int | None = None
    early_stopping: EarlyStopping | None = None
    reduce_lr: ReduceLR | None = None
    tensorboard_dir: str | None = None
    seed: int | None = 42
    shuffle: bool = True
    strategy: str = "default"

    def problems(self) -> list[str]:
        """One sentence per value that is out of range (types are checked by `from_section`)."""
        found: list[str] = []

        def at_least(name: str, value: float | None, low: float) -> None:
            if value is not None and value < low:
                found.append(f"{name} must be at least {low:g}, got {value:g}")

        if not self.optimizer.strip():
            found.append("optimizer: give an optimizer name such as adam or sgd")
        if not self.loss.strip():
            found.append("loss: give a loss name such as mean_squared_error")
        if not self.learning_rate > 0:
            found.append(f"learning_rate must be more than 0, got {self.learning_rate:g}")
        if self.strategy not in STRATEGIES:
            found.append(f"strategy must be one of {', '.join(STRATEGIES)}, got {self.strategy!r}")
        at_least("epochs", self.epochs, 1)
        at_least("batch_size", self.batch_size, 1)
        at_least("steps_per_epoch", self.steps_per_epoch, 1)
        found += self._virtual_epoch_problems()
        if not 0 <= self.validation_split < 1:
            found.append(f"validation_split must be from 0 up to (not including) 1, got {self.validation_split:g}")
        if self.early_stopping is not None:
            at_least("early_stopping.patience", self.early_stopping.patience, 0)
        if self.reduce_lr is not None:
            if not 0 < self.reduce_lr.factor < 1:
                found.append(f"reduce_lr.factor must be between 0 and 1, got {self.reduce_lr.factor:g}")
            at_least("reduce_lr.patience", self.reduce_lr.patience, 0)
            at_least("reduce_lr.min_lr", self.reduce_lr.min_lr, 0)
        return found

    def _virtual_epoch_problems(self) -> list[str]:
        examples, evaluations = self.train_examples, self.evaluations
        if examples is None:
            alone = ("evaluations needs train_examples too: give the examples to train on, or leave "
                     "evaluations out to train whole epochs")
            return [] if evaluations is None else [alone]
        if examples < 1:
            return [f"train_examples must be at least 1, got {examples}"]
        if evaluations is not None and evaluations < 1:
            return [f"evaluations must be at least 1, got {evaluations}"]
        found = []
        steps = self.batch_size * self.fit_epochs
        if self.batch_size >= 1 and self.fit_epochs >= 1 and examples < steps:
            counted = "evaluations" if evaluations is not None else "epochs (the evaluations, as none are given)"
            found.append(f"train_examples must be at least batch_size × {counted} ({self.batch_size} × "
                         f"{self.fit_epochs} = {steps}), got {examples}")
        if self.steps_per_epoch is not None:
            found.append("steps_per_epoch must be left out when train_examples sets the steps")
        return found

    @property
    def fit_epochs(self) -> int:
        """The epochs `fit` runs: one per evaluation when training in virtual epochs (evaluations
        default to `epochs`)."""
        if self.train_examples is not None and self.evaluations is not None:
            return self.evaluations
        return self.epochs

    @property
    def fit_steps_per_epoch(self) -> int | None:
        """Batches per (virtual) epoch; None means one pass over the data."""
        if self.train_examples is not None:
            return max(1, self.train_examples // max(1, self.batch_size * self.fit_epochs))
        return self.steps_per_epoch

    def to_section(self) -> dict[str, Any]:
        """The project-file form; optional parts that are off are left out."""
        doc: dict[str, Any] = {
            "optimizer": self.optimizer,
            "learning_rate": self.learning_rate,
            "loss": self.loss,
            "metrics": list(self.metrics),
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "validation_split": self.validation_split,
            "seed": self.seed,
        }
        if self.steps_per_epoch is not None:
            doc["steps_per_epoch"] = self.steps_per_epoch
        if self.train_examples is not None:
            doc["train_examples"] = self.train_examples
        if self.evaluations is not None:
            doc["evaluations"] = self.evaluations
        if self.early_stopping is not None:
            doc["early_stopping"] = vars(self.early_stopping).copy()
        if self.reduce_lr is not None:
            doc["reduce_lr"] = vars(self.reduce_lr).copy()
        if self.tensorboard_dir:
            doc["tensorboard_dir"] = self.tensorboard_dir
        if not self.shuffle:
            doc["shuffle"] = False
        if self.strategy != "default":
            doc["strategy"] = self.strategy
        return doc

    @classmethod
    def from_section(cls, doc: Any) -> TrainingSettings:
        """Read the `training` section (missing keys take defaults); SettingsError lists every bad field."""
        if doc is None:
            return cls()
        if not isinstance(doc, dict):
            raise SettingsError(["training: expected an object of settings"])
        reader = _Reader("training")
        defaults = cls()
        settings = cls(
            optimizer=reader.text(doc, "optimizer", defaults.optimizer),
            learning_rate=reader.number(doc, "learning_rate", defaults.learning_rate),
            loss=reader.text(doc, "loss", defaults.loss),
            metrics=reader.names(doc, "metrics", defaults.metrics),
            epochs=reader.integer(doc, "epochs", defaults.epochs),
            batch_size=reader.integer(doc, "batch_size", defaults.batch_size),
            validation_split=reader.number(doc, "validation_split", defaults.validation_split),
            steps_per_epoch=reader.optional_integer(doc, "steps_per_epoch"),
            train_examples=reader.optional_integer(doc, "train_examples"),
            evaluations=reader.optional_integer(doc, "evaluations"),
            early_stopping=reader.part(doc, "early_stopping", EarlyStopping),
            reduce_lr=reader.part(doc, "reduce_lr", ReduceLR),
            tensorboard_dir=reader.optional_text(doc, "tensorboard_dir"),
            seed=reader.optional_integer(doc, "seed", defaults.seed),
            shuffle=reader.flag(doc, "shuffle", defaults.shuffle),
            strategy=reader.text(doc, "strategy", defaults.strategy),
        )
        known = set(vars(defaults))
        reader.problems += [f"training.{key}: unknown setting; known ones are {', '.join(sorted(known))}"
                            for key in doc if key not in known]
        # Fields with the wrong type took their defaults above, so range checks never repeat them.
        problems = reader.problems + [f"training.{p}" for p in settings.problems()]
        if problems:
            raise SettingsError(problems)
        return settings


class _Reader:
    """Reads typed fields out of a JSON object, remembering every mismatch instead of stopping at the first."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[str] = []

    def _bad(self, key: str, expected: str, value: Any) -> None:
        self.problems.append(f"{self.where}.{key}: expected {expected}, got {value!r}")

    def text(self, doc: dict[str, Any], key: str, default: str) -> str:
        value = doc.get(key, default)
        if isinstance(value, str):
            return value
        self._bad(key, "text", value)
        return default

    def optional_text(self, doc: dict[str, Any], key: str) -> str | None:
        value = doc.get(key)
        if value is None or isinstance(value, str):
            return value or None
        self._bad(key, "text or null", value)
        return None

    def names(self, doc: dict[str, Any], key: str, default: list[str]) -> list[str]:
        value = doc.get(key, default)
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        self._bad(key, "a list of names", value)
        return list(default)

    def number(self, doc: dict[str, Any], key: str, default: float) -> float:
        value = doc.get(key, default)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        self._bad(key, "a number", value)
        return default

    def integer(self, doc: dict[str, Any], key: str, default: int) -> int:
        value = doc.get(key, default)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self._bad(key, "a whole number", value)
        return default

    def optional_integer(self, doc: dict[str, Any], key: str, default: int | None = None) -> int | None:
        value = doc.get(key, default)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self._bad(key, "a whole number or null", value)
        return default

    def flag(self, doc: dict[str, Any], key: str, default: bool) -> bool:
        value = doc.get(key, default)
        if isinstance(value, bool):
            return value
        self._bad(key, "true or false", value)
        return default

    def part(self, doc: dict[str, Any], key: str, kind: type[Any]) -> Any:
        """An optional sub-object such as `early_stopping`: null/false = off, true = Keras-like defaults."""
        value = doc.get(key)
        if value is None or value is False:
            return None
        if value is True:
            return kind()
        if not isinstance(value, dict):
            self._bad(key, "an object, true or null", value)
            return None
        inner = _Reader(f"{self.where}.{key}")
        defaults = kind()
        fields: dict[str, Any] = {}
        for name, default in vars(defaults).items():
            if isinstance(default, bool):
                fields[name] = inner.flag(value, name, default)
            elif isinstance(default, int):
                fields[name] = inner.integer(value, name, default)
            elif isinstance(default, float):
                fields[name] = inner.number(value, name, default)
            else:
                fields[name] = inner.text(value, name, default)
        inner.problems += [f"{self.where}.{key}.{name}: unknown setting" for name in value if name not in fields]
        self.problems += inner.problems
        return kind(**fields)
