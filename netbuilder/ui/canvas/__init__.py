"""The graph canvas: a QGraphicsScene whose items follow the document's events."""
