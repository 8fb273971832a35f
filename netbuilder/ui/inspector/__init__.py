"""The inspector panel: a form generated from the catalog for the selected node.

`InspectorPanel` is the one thing the editor uses; the rest of the package
(parsing, editors, the form) exists to build it.
"""

from netbuilder.ui.inspector.panel import InspectorPanel

__all__ = ["InspectorPanel"]
