"""What an exported training script adds for a preprocessing block: raw text Inputs and adapted layers.

netbuilder adapts a preprocessing layer without its state (a `Normalization`
without a mean, a `TextVectorization` or lookup without a vocabulary, a
`Discretization` without bin boundaries) on the training rows before it
trains (`training.adapt`) and feeds a string Input its column's cells as
written. A script that rebuilds the model from code must do the
same or train a different model, so it adapts each such layer itself, on the
rows `fit` trains on (its `validation_split` holds out the last ones). The
layers it can reach that way are those fed straight by a model Input — in
the main graph, or in a sub-model (the `preprocessing` block) whose input
is fed straight by one — which is how the block is drawn; the state is not
carried as numbers, so the script follows whatever data it is given.
"""

from __future__ import annotations

from netbuilder.graph import Project
from netbuilder.graph.layer_names import keras_name
from netbuilder.graph.model import INPUT_LAYER, SUBMODEL_LAYER, Graph, Node


# The config key holding what a preprocessing layer learns by `adapt`; left out (None), the layer must adapt.
_STATE = {"Normalization": "mean", "TextVectorization": "vocabulary", "StringLookup": "vocabulary",
          "IntegerLookup": "vocabulary", "Discretization": "bin_boundaries"}


def text_inputs(project: Project) -> list[str]:
    """The model's inputs (Keras names) whose Input takes text: they get their column's cells as written."""
    graph = project.graph
    return [keras_name(graph.node(i).name) for i in graph.input_ids() if graph.node(i).config.get("dtype") == "string"]


def adapt_lines(project: Project, input_names: list[str], validation_split: float, batches: bool = False) -> list[str]:
    """Lines of `train()` that adapt every reachable preprocessing layer without its state on the training rows;
    none when there is none. They follow `x, y = load_data(...)`, or with `batches` (a folder of images or
    documents, for a model with one input) `train_data = …`, a dataset of (input, target) batches."""
    unadapted = _unadapted(project)
    if not unadapted:
        return []
    comment = "    # Preprocessing layers without their state learn it from the training rows, as netbuilder does."
    if batches:
        return [comment, *(f"    {path}.adapt(train_data.map(lambda x, y: x))" for path, _ in unadapted)]
    calls = [f"{path}.adapt({_rows(input_names, name)})" for path, name in unadapted]
    return [comment,
            "    rows = len(next(iter(x.values()))) if isinstance(x, dict) else len(x)",
            f"    kept = rows - int(rows * {validation_split!r})  # fit's validation_split holds out the last rows",
            *(f"    {call}" for call in calls)]


def _rows(input_names: list[str], name: str) -> str:
    return "x[:kept]" if len(input_names) == 1 else f"x[{name!r}][:kept]"


def _unadapted(project: Project) -> list[tuple[str, str]]:
    """(how `model` reaches the layer, the model input that feeds it) of each preprocessing layer to adapt."""
    main = project.graph
    found = [(f"model.get_layer({keras_name(n.name)!r})", main.node(source).name)
             for n, source in _fed_by_inputs(main)]
    for node in main.nodes:
        name = node.config.get("submodel") if node.layer == SUBMODEL_LAYER else None
        sub = project.submodels.get(name) if isinstance(name, str) else None
        if sub is None:
            continue
        feeding = {e.target_port: e.source for e in main.incoming(node.id)}
        ports = sub.input_ids()
        for layer, source in _fed_by_inputs(sub):
            outer = feeding.get(ports.index(source))
            if outer is not None and main.node(outer).layer == INPUT_LAYER:
                path = f"model.get_layer({keras_name(name)!r}).get_layer({keras_name(layer.name)!r})"
                if all(path != p for p, _ in found):
                    found.append((path, keras_name(main.node(outer).name)))
    return [(path, keras_name(source)) for path, source in found]


def _fed_by_inputs(graph: Graph) -> list[tuple[Node, str]]:
    """(preprocessing node without its state, the Input feeding it) in `graph`."""
    found = []
    for node in graph.nodes:
        state = _STATE.get(node.layer)
        if state is None or node.config.get(state) is not None or node.shares is not None:
            continue
        incoming = graph.incoming(node.id)
        if len(incoming) == 1 and graph.node(incoming[0].source).layer == INPUT_LAYER:
            found.append((node, incoming[0].source))
    return found
