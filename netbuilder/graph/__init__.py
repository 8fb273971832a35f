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
from netbuilder.graph.edits import add_node_command, insert_on_edge_command
from netbuilder.graph.fragment import copy_fragment, delete_command, duplicate_command, paste_command, read_fragment
from netbuilder.graph.grouping import group_command, ungroup_command
from netbuilder.graph.project_commands import AddSubmodel, RemoveSubmodel, RenameSubmodel, submodel_name_problem

__all__ = [
    "AddNode", "Command", "Compound", "Connect", "Disconnect", "MoveNode", "SetConfig",
    "SetOutputs", "UndoStack", "remove_node", "Event", "INPUT_LAYER", "SUBMODEL_LAYER",
    "Edge", "Graph", "Node", "Project", "ProjectFileError", "Problem",
    "connection_problem", "validate",
    "add_node_command", "insert_on_edge_command", "copy_fragment", "delete_command", "duplicate_command",
    "paste_command", "read_fragment", "group_command", "ungroup_command", "AddSubmodel", "RemoveSubmodel",
    "RenameSubmodel", "submodel_name_problem",
]
