"""The JSON limits every reader of outside files shares (project files here, Keras model configs in the importer)."""

import io
import json

import pytest

from netbuilder.graph.json_limits import JsonLimitError, lone_surrogate_at, loads, nests_deeper, read_capped


def test_reading_stops_at_the_cap():
    assert read_capped(io.BytesIO(b"12345"), limit=5) == b"12345"
    endless = io.BytesIO(b"x" * 1000)
    with pytest.raises(JsonLimitError, match="is larger than"):
        read_capped(endless, limit=10)
    assert endless.tell() == 11  # read one byte past the cap, never the rest


@pytest.mark.parametrize("depth, limit, deeper", [(3, 3, False), (4, 3, True), (1, 1, False), (0, 1, False)])
def test_nesting_is_counted_from_the_outermost_container(depth, limit, deeper):
    value = 0
    for _ in range(depth):
        value = [value] if depth % 2 else {"k": value}
    assert nests_deeper(value, limit) is deeper


def test_nesting_far_beyond_the_stack_is_walked_without_recursion():
    value: list = []
    for _ in range(100_000):
        value = [value]
    assert nests_deeper(value, 64)


def test_loads_refuses_too_deep_text_whatever_python_would_take():
    for depth in (65, 5_000):
        with pytest.raises(JsonLimitError, match="nest more than 64 levels deep"):
            loads("[" * depth + "]" * depth)
    assert nests_deeper(loads("[" * 64 + "]" * 64, max_depth=64), 63)


def test_a_lone_surrogate_is_found_where_it_is_and_a_pair_is_a_character():
    assert lone_surrogate_at({"a": [1, {"b\udc00": 2}]}) == "a[1].b\udc00"
    assert lone_surrogate_at({"a": ["ok", "x\ud800"]}) == "a[1]"
    with pytest.raises(JsonLimitError, match=r"^graph\.nodes\[0\]\.id: holds a lone UTF-16 surrogate"):
        loads('{"graph": {"nodes": [{"id": "h\\ud800"}]}}')
    assert loads('["\\ud83d\\ude00"]') == ["😀"]  # an escaped pair is one character
    assert loads(json.dumps(["\ud83d\ude00"]).encode("utf-16")) == ["😀"]  # bytes, in any JSON encoding
