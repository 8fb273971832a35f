"""Time-series models from keras.io/examples/timeseries, at small sizes."""

from __future__ import annotations

import keras
from keras import layers

from corpus import Architecture

EXAMPLES = "https://keras.io/examples/timeseries/"


def classification_from_scratch() -> keras.Model:
    input_layer = keras.layers.Input((50, 1))
    x = input_layer
    for _ in range(3):
        x = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
    gap = keras.layers.GlobalAveragePooling1D()(x)
    output_layer = keras.layers.Dense(2, activation="softmax")(gap)
    return keras.models.Model(inputs=input_layer, outputs=output_layer)


def classification_transformer() -> keras.Model:
    """Residuals written as `x + inputs` on tensors."""

    def transformer_encoder(inputs, head_size, num_heads, ff_dim, dropout=0):
        x = layers.MultiHeadAttention(key_dim=head_size, num_heads=num_heads, dropout=dropout)(inputs, inputs)
        x = layers.Dropout(dropout)(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
        res = x + inputs
        x = layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(res)
        x = layers.Dropout(dropout)(x)
        x = layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
        return x + res

    inputs = keras.Input(shape=(50, 1))
    x = inputs
    for _ in range(2):
        x = transformer_encoder(x, head_size=16, num_heads=2, ff_dim=4, dropout=0.25)
    x = layers.GlobalAveragePooling1D(data_format="channels_last")(x)
    for dim in [32]:
        x = layers.Dense(dim, activation="relu")(x)
        x = layers.Dropout(0.4)(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def weather_forecasting() -> keras.Model:
    inputs = keras.layers.Input(shape=(24, 7))
    lstm_out = keras.layers.LSTM(32)(inputs)
    outputs = keras.layers.Dense(1)(lstm_out)
    return keras.Model(inputs=inputs, outputs=outputs)


def anomaly_detection_autoencoder() -> keras.Model:
    return keras.Sequential([
        layers.Input(shape=(48, 1)),
        layers.Conv1D(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1D(filters=8, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(filters=8, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1DTranspose(filters=16, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
    ])


ARCHITECTURES = [
    Architecture("timeseries_classification_from_scratch", EXAMPLES + "timeseries_classification_from_scratch/",
                 "Conv1D, BatchNormalization, ReLU, GlobalAveragePooling1D", classification_from_scratch),
    Architecture("timeseries_classification_transformer", EXAMPLES + "timeseries_classification_transformer/",
                 "self-attention blocks, residuals as x + inputs (Add from tensor arithmetic)",
                 classification_transformer, fast=True),
    Architecture("timeseries_weather_forecasting", EXAMPLES + "timeseries_weather_forecasting/", "LSTM regressor",
                 weather_forecasting, h5=True),
    Architecture("timeseries_anomaly_detection", EXAMPLES + "timeseries_anomaly_detection/",
                 "Sequential Conv1D / Conv1DTranspose autoencoder", anomaly_detection_autoencoder),
]
