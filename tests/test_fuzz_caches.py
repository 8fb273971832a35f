"""The caches netbuilder reads back (adapted preprocessing state, deployment answers) never crash on a damaged file.

Both are conveniences: whatever a file holds — bytes, foreign JSON, deep nesting,
wrong types — it is ignored (and the work is done again) or read as far as it
is right, never trusted into a crash.
"""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netbuilder.export.deploy_cache import ProbeCache
from netbuilder.training.adapt import CACHE_FORMAT, _read_cache, _restore

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                                  max_size=4), max_leaves=20)
CONTENT = st.one_of(
    st.binary(max_size=200),
    JSON.map(lambda value: json.dumps(value).encode()),
    JSON.map(lambda value: json.dumps({"format": CACHE_FORMAT, "version": 1, "layers": value}).encode()),
    st.integers(1, 200_000).map(lambda depth: b"[" * depth + b"]" * depth),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(CONTENT)
def test_a_damaged_adapted_state_file_reads_as_nothing_or_as_entries(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("adapted") / "p.adapted.json"
    path.write_bytes(content)
    layers = _read_cache(path)
    assert isinstance(layers, dict)
    for entry in layers.values():
        assert _restore(_Unadaptable(), entry, "key") in (True, False)


@FAST
@given(CONTENT)
def test_a_damaged_deployment_cache_reads_as_nothing_or_as_answers(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("deploy") / "deploy-check.json"
    path.write_bytes(content)
    cache = ProbeCache(path)
    assert all(isinstance(ops, list) and all(isinstance(op, str) for op in ops) for ops in cache._answers.values())


class _Unadaptable:
    """A layer of a kind the cache never stores: every entry must be turned down without an error."""

    name = "layer"
