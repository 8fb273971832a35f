"""The graph document: standard library only, so it imports fast and tests without Keras or Qt."""

from netbuilder.graph.commands import (
    AddNode,
    Command,
    Compound,
    Connect,
    Disconnect,
    MoveNode,
    SetConfig,
    SetOutputs,
    UndoStack,
    remove_node,
)
from netbuilder.graph.events import Event
from netbuilder.graph.model import INPUT_LAYER, SUBMODEL_LAYER, Edge, Graph, Node
from netbuilder.graph.project_file import Project, ProjectFileError
from netbuilder.graph.validation import Problem, connection_problem, validate

__all__ = [
    "AddNode", "Command", "Compound", "Connect", "Disconnect", "MoveNode", "SetConfig",
    "SetOutputs", "UndoStack", "remove_node", "Event", "INPUT_LAYER", "SUBMODEL_LAYER",
    "Edge", "Graph", "Node", "Project", "ProjectFileError", "Problem",
    "connection_problem", "validate",
]
