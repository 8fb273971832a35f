"""A minimal publish/subscribe event, so views can follow the document without Qt.

The document model emits these; the canvas (Qt) and the shape checker (Keras)
subscribe. Keeping the event type this small keeps `graph/` import-free.
"""

from __future__ import annotations

from typing import Any, Callable

Listener = Callable[..., Any]


class Event:
    """A list of listeners called in subscription order with the emitted arguments."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def connect(self, listener: Listener) -> Listener:
        """Subscribe `listener`; returns it so this can be used as a decorator."""
        self._listeners.append(listener)
        return listener

    def disconnect(self, listener: Listener) -> None:
        """Unsubscribe `listener` (a no-op when it was never subscribed)."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, *args: Any) -> None:
        """Call every listener; a copy is iterated so listeners may unsubscribe."""
        for listener in list(self._listeners):
            listener(*args)
