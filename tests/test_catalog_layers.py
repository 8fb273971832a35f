"""Every layer the palette offers really builds and runs in a Keras functional model.

Each catalog entry is built the way a project builds it (`from_config` with the
catalog's seed values), wired from `keras.Input`s shaped like its example inputs,
and run eagerly on a small random batch.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from netbuilder.catalog import LayerSpec, load_catalog  # noqa: E402

CATALOG = load_catalog()
BATCH = 2
WORDS = ["a", "b", "c d", "zz"]


def sample(shape: list[int], dtype: str, rng: np.random.Generator) -> np.ndarray:
    """A random batch of the given per-example shape, valid for lookup and embedding layers."""
    size = (BATCH, *shape)
    if dtype == "string":
        return rng.choice(np.array(WORDS, dtype=object), size=size)
    if dtype.startswith(("int", "uint")):
        return rng.integers(0, 4, size=size).astype(dtype)  # below every seeded vocabulary size
    return rng.random(size).astype(dtype)


def call(layer: keras.layers.Layer, spec: LayerSpec, inputs: list) -> object:
    if spec.input_mode == "list":
        return layer(inputs)
    if spec.input_mode == "positional":
        return layer(*inputs)
    return layer(inputs[0])


def test_palette_offers_at_least_120_layers() -> None:
    assert len(CATALOG) >= 120


@pytest.mark.parametrize("name", CATALOG.names())
def test_layer_runs_in_a_functional_model(name: str) -> None:
    spec = CATALOG.get(name)
    assert spec is not None
    layer = getattr(keras.layers, name).from_config({**spec.seed, "name": f"probe_{name.lower()}"})
    inputs = [keras.Input(shape=tuple(shape), dtype=spec.example_dtype)
              for shape in spec.example_inputs]
    assert spec.min_inputs <= len(inputs) <= (spec.max_inputs or len(inputs))
    model = keras.Model(inputs if len(inputs) > 1 else inputs[0], call(layer, spec, inputs))

    rng = np.random.default_rng(0)
    batch = [sample(shape, spec.example_dtype, rng) for shape in spec.example_inputs]
    outputs = keras.tree.flatten(model(batch if len(batch) > 1 else batch[0], training=True))

    for output in outputs:
        values = keras.ops.convert_to_numpy(output)
        assert values.shape[0] == BATCH
        if np.issubdtype(values.dtype, np.floating):
            assert np.isfinite(values).all()


@pytest.mark.parametrize("name", CATALOG.names())
def test_catalog_defaults_rebuild_the_layer(name: str) -> None:
    # The inspector shows these defaults and projects may store them: Keras must accept them back.
    spec = CATALOG.get(name)
    assert spec is not None
    layer = getattr(keras.layers, name).from_config({**spec.defaults(), "name": "rebuilt"})
    assert isinstance(layer, keras.layers.Layer)


def test_equalization_still_cannot_join_a_functional_model() -> None:
    # Equalization is deny-listed for this Keras bug; when this fails, Keras fixed it: offer it.
    image = keras.Input(shape=(8, 8, 3))
    with pytest.raises(ValueError, match="cycle"):
        keras.Model(image, keras.layers.Equalization()(image))
