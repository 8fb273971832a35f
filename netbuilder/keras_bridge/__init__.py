"""Graph ⇄ Keras: build models, infer shapes, import model files, write `.keras` files.

Every other export format lives in `netbuilder.export`, above `training`: this package
imports neither (pyproject.toml's import-linter contracts).

TensorFlow's start-up chatter is silenced before Keras is first imported.
"""

from netbuilder.keras_bridge.quiet_import import import_keras_quietly

import_keras_quietly()

from netbuilder.keras_bridge.build import Built, build_model  # noqa: E402
from netbuilder.keras_bridge.checks import ProjectChecker, Report, check_project  # noqa: E402
from netbuilder.keras_bridge.errors import BridgeError  # noqa: E402
from netbuilder.keras_bridge.export import export_keras  # noqa: E402
from netbuilder.keras_bridge.importer import import_model_file, load_model_file, model_to_project  # noqa: E402

__all__ = [
    "Built", "build_model", "ProjectChecker", "Report", "check_project", "BridgeError",
    "export_keras", "import_model_file", "load_model_file", "model_to_project",
]
