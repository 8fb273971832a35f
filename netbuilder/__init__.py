"""netbuilder: build neural networks by drawing them; the graph is a Keras functional model."""

__version__ = "0.1.0"
