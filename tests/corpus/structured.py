"""Tabular models from keras.io/examples/structured_data: dict inputs, lookups, feature crosses."""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers, ops

from corpus import Architecture

EXAMPLES = "https://keras.io/examples/structured_data/"
NUMERIC = ["Elevation", "Slope"]
CATEGORICAL = {"Wilderness_Area": ["Rawah", "Neota", "Comanche", "Cache"], "Soil_Type": ["C2702", "C7745", "C4703"]}


def _covertype_sample(rng, name, shape, dtype):
    return rng.choice(CATEGORICAL[name], size=shape) if name in CATEGORICAL else rng.normal(size=shape)


def _covertype_inputs() -> dict:
    inputs = {}
    for name in NUMERIC + list(CATEGORICAL):
        dtype = "float32" if name in NUMERIC else "string"
        inputs[name] = layers.Input(name=name, shape=(), dtype=dtype)
    return inputs


def _encode(inputs: dict, use_embedding: bool = False):
    encoded_features = []
    for feature_name in inputs:
        if feature_name in CATEGORICAL:
            vocabulary = CATEGORICAL[feature_name]
            lookup = layers.StringLookup(vocabulary=vocabulary, mask_token=None, num_oov_indices=0,
                                         output_mode="int" if use_embedding else "one_hot")
            if use_embedding:
                encoded_feature = lookup(inputs[feature_name])
                embedding_dims = int(math.sqrt(len(vocabulary)))
                embedding = layers.Embedding(input_dim=len(vocabulary), output_dim=embedding_dims)
                encoded_feature = embedding(encoded_feature)
            else:
                encoded_feature = lookup(ops.expand_dims(inputs[feature_name], -1))
        else:
            encoded_feature = ops.expand_dims(inputs[feature_name], -1)
        encoded_features.append(encoded_feature)
    return layers.concatenate(encoded_features)


def _deep(features, hidden_units=(16, 16)):
    for units in hidden_units:
        features = layers.Dense(units)(features)
        features = layers.BatchNormalization()(features)
        features = layers.ReLU()(features)
        features = layers.Dropout(0.1)(features)
    return features


def covertype_baseline() -> keras.Model:
    inputs = _covertype_inputs()
    features = _deep(_encode(inputs))
    outputs = layers.Dense(units=7, activation="softmax")(features)
    return keras.Model(inputs=inputs, outputs=outputs)


def covertype_wide_and_deep() -> keras.Model:
    inputs = _covertype_inputs()
    wide = layers.BatchNormalization()(_encode(inputs))
    deep = _deep(_encode(inputs, use_embedding=True))
    merged = layers.concatenate([wide, deep])
    outputs = layers.Dense(units=7, activation="softmax")(merged)
    return keras.Model(inputs=inputs, outputs=outputs)


def covertype_deep_and_cross() -> keras.Model:
    """Cross layers written as tensor arithmetic: `x0 * x + cross`."""
    inputs = _covertype_inputs()
    x0 = _encode(inputs, use_embedding=True)
    cross = x0
    for _ in range(2):
        units = cross.shape[-1]
        x = layers.Dense(units)(cross)
        cross = x0 * x + cross
    cross = layers.BatchNormalization()(cross)
    deep = _deep(x0)
    merged = layers.concatenate([cross, deep])
    outputs = layers.Dense(units=7, activation="softmax")(merged)
    return keras.Model(inputs=inputs, outputs=outputs)


def tab_transformer() -> keras.Model:
    """ops.stack of embeddings, a column embedding added as a constant, nested Sequential MLPs."""
    numeric, categorical = ["age", "hours_per_week"], {"workclass": 5, "education": 7, "race": 4}
    embedding_dims = 8

    def create_mlp(hidden_units, dropout_rate, activation, normalization_layer, name=None):
        mlp_layers = []
        for units in hidden_units:
            mlp_layers.append(normalization_layer())
            mlp_layers.append(layers.Dense(units, activation=activation))
            mlp_layers.append(layers.Dropout(dropout_rate))
        return keras.Sequential(mlp_layers, name=name)

    inputs = {name: layers.Input(name=name, shape=(), dtype="float32") for name in numeric + list(categorical)}
    encoded, numerical = [], []
    for name in inputs:
        if name in categorical:
            encoded.append(layers.Embedding(input_dim=categorical[name], output_dim=embedding_dims)(inputs[name]))
        else:
            numerical.append(ops.expand_dims(inputs[name], -1))
    encoded_categorical_features = ops.stack(encoded, axis=1)
    numerical_features = layers.concatenate(numerical)
    num_columns = encoded_categorical_features.shape[1]
    column_embedding = layers.Embedding(input_dim=num_columns, output_dim=embedding_dims)
    column_indices = ops.arange(start=0, stop=num_columns, step=1)
    encoded_categorical_features = encoded_categorical_features + column_embedding(column_indices)
    for block_idx in range(2):
        attention_output = layers.MultiHeadAttention(num_heads=2, key_dim=embedding_dims, dropout=0.1,
                                                     name=f"multihead_attention_{block_idx}")(
            encoded_categorical_features, encoded_categorical_features)
        x = layers.Add(name=f"skip_connection1_{block_idx}")([attention_output, encoded_categorical_features])
        x = layers.LayerNormalization(name=f"layer_norm1_{block_idx}", epsilon=1e-6)(x)
        feedforward_output = create_mlp(hidden_units=[embedding_dims], dropout_rate=0.1,
                                        activation=keras.activations.gelu,
                                        normalization_layer=lambda: layers.LayerNormalization(epsilon=1e-6),
                                        name=f"feedforward_{block_idx}")(x)
        x = layers.Add(name=f"skip_connection2_{block_idx}")([feedforward_output, x])
        encoded_categorical_features = layers.LayerNormalization(name=f"layer_norm2_{block_idx}", epsilon=1e-6)(x)
    categorical_features = layers.Flatten()(encoded_categorical_features)
    numerical_features = layers.LayerNormalization(epsilon=1e-6)(numerical_features)
    features = layers.concatenate([categorical_features, numerical_features])
    features = create_mlp(hidden_units=[features.shape[-1] * 2, features.shape[-1]], dropout_rate=0.1,
                          activation=keras.activations.selu, normalization_layer=layers.BatchNormalization,
                          name="MLP")(features)
    outputs = layers.Dense(units=1, activation="sigmoid", name="sigmoid")(features)
    return keras.Model(inputs=inputs, outputs=outputs)


def _tab_sample(rng, name, shape, dtype):
    return rng.integers(0, 4, size=shape).astype(dtype)


def imbalanced_classification() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(29,)),
        layers.Dense(32, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dropout(0.3),
        layers.Dense(32, activation="relu"),
        layers.Dropout(0.3),
        layers.Dense(1, activation="sigmoid"),
    ])


def feature_space_inference() -> keras.Model:
    """The inference model over a FeatureSpace: raw dict inputs, adapted lookups, bins, statistics, crosses."""
    import tensorflow as tf
    from keras.utils import FeatureSpace

    rng = np.random.default_rng(5)
    data = {"sex": rng.integers(0, 2, 40), "cp": rng.integers(1, 5, 40),
            "thal": rng.choice(["fixed", "normal", "reversible"], 40), "age": rng.uniform(30, 70, 40),
            "trestbps": rng.uniform(100, 160, 40)}
    feature_space = FeatureSpace(
        features={"sex": FeatureSpace.integer_categorical(num_oov_indices=0),
                  "cp": FeatureSpace.integer_categorical(num_oov_indices=0),
                  "thal": FeatureSpace.string_categorical(num_oov_indices=0),
                  "age": FeatureSpace.float_discretized(num_bins=4),
                  "trestbps": FeatureSpace.float_normalized()},
        crosses=[FeatureSpace.cross(feature_names=("sex", "age"), crossing_dim=16),
                 FeatureSpace.cross(feature_names=("thal", "cp"), crossing_dim=8)],
        output_mode="concat")
    feature_space.adapt(tf.data.Dataset.from_tensor_slices(data).batch(8))
    dict_inputs = feature_space.get_inputs()
    encoded_features = feature_space.get_encoded_features()
    x = layers.Dense(32, activation="relu")(encoded_features)
    x = layers.Dropout(0.5)(x)
    predictions = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs=dict_inputs, outputs=predictions)


def _heart_sample(rng, name, shape, dtype):
    values = {"sex": [0, 1], "cp": [1, 2, 3, 4], "thal": ["fixed", "normal", "reversible"]}
    return rng.choice(values[name], size=shape) if name in values else rng.uniform(30, 160, size=shape)


ARCHITECTURES = [
    Architecture("wide_deep_cross_baseline", EXAMPLES + "wide_deep_cross_networks/",
                 "dict of scalar Inputs, StringLookup one_hot with a given vocabulary, ops.expand_dims",
                 covertype_baseline, sample=_covertype_sample),
    Architecture("wide_deep_cross_wide_and_deep", EXAMPLES + "wide_deep_cross_networks/",
                 "wide one-hot and deep embedding branches over the same dict inputs",
                 covertype_wide_and_deep, sample=_covertype_sample),
    Architecture("wide_deep_cross_deep_and_cross", EXAMPLES + "wide_deep_cross_networks/",
                 "cross layers as x0 * x + cross (Multiply, Add)", covertype_deep_and_cross, fast=True,
                 sample=_covertype_sample),
    Architecture("tab_transformer", EXAMPLES + "tabtransformer/",
                 "ops.stack, a constant column embedding added (Operation node), nested Sequential MLPs, attention",
                 tab_transformer, fast=True, sample=_tab_sample),
    Architecture("imbalanced_classification", EXAMPLES + "imbalanced_classification/",
                 "Sequential dense classifier", imbalanced_classification),
    Architecture("feature_space_inference", EXAMPLES + "structured_data_classification_with_feature_space/",
                 "FeatureSpace: adapted IntegerLookup/StringLookup, Discretization, Normalization, HashedCrossing",
                 feature_space_inference, fast=True, sample=_heart_sample),
]
