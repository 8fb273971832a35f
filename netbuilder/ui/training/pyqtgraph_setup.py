"""pyqtgraph, imported once with the look every training plot shares.

The plots import pyqtgraph from here rather than directly so the set-up
happens in one place: a white background that matches the editor, and
antialiased lines that stay readable in screenshots.
"""

from __future__ import annotations

import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (ImageExporter for "Save plot PNG…" and curves.png)

pg.setConfigOptions(background="w", foreground="#333333", antialias=True)

__all__ = ["pg"]
