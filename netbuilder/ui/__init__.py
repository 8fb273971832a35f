"""The PySide6 desktop application: windows, canvas, palette and panels (the only Qt code)."""
