"""Audio models from keras.io/examples/audio, at small sizes."""

from __future__ import annotations

import keras
from keras import layers

from corpus import Architecture

EXAMPLES = "https://keras.io/examples/audio/"


def speaker_recognition() -> keras.Model:
    def residual_block(x, filters, conv_num=3, activation="relu"):
        s = keras.layers.Conv1D(filters, 1, padding="same")(x)
        for _ in range(conv_num - 1):
            x = keras.layers.Conv1D(filters, 3, padding="same")(x)
            x = keras.layers.Activation(activation)(x)
        x = keras.layers.Conv1D(filters, 3, padding="same")(x)
        x = keras.layers.Add()([x, s])
        x = keras.layers.Activation(activation)(x)
        return keras.layers.MaxPool1D(pool_size=2, strides=2)(x)

    inputs = keras.layers.Input(shape=(256, 1), name="input")
    x = residual_block(inputs, 4, 2)
    x = residual_block(x, 8, 2)
    x = residual_block(x, 16, 3)
    x = residual_block(x, 16, 3)
    x = residual_block(x, 16, 3)
    x = keras.layers.AveragePooling1D(pool_size=3, strides=3)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(32, activation="relu")(x)
    x = keras.layers.Dense(16, activation="relu")(x)
    outputs = keras.layers.Dense(5, activation="softmax", name="output")(x)
    return keras.models.Model(inputs=inputs, outputs=outputs)


def deepspeech2_ctc() -> keras.Model:
    input_dim, output_dim, rnn_layers, rnn_units = 16, 10, 2, 8
    input_spectrogram = layers.Input((None, input_dim), name="input")
    x = layers.Reshape((-1, input_dim, 1), name="expand_dim")(input_spectrogram)
    x = layers.Conv2D(filters=8, kernel_size=[11, 41], strides=[2, 2], padding="same", use_bias=False,
                      name="conv_1")(x)
    x = layers.BatchNormalization(name="conv_1_bn")(x)
    x = layers.ReLU(name="conv_1_relu")(x)
    x = layers.Conv2D(filters=8, kernel_size=[11, 21], strides=[1, 2], padding="same", use_bias=False,
                      name="conv_2")(x)
    x = layers.BatchNormalization(name="conv_2_bn")(x)
    x = layers.ReLU(name="conv_2_relu")(x)
    x = layers.Reshape((-1, x.shape[-2] * x.shape[-1]))(x)
    for i in range(1, rnn_layers + 1):
        recurrent = layers.GRU(units=rnn_units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                               return_sequences=True, reset_after=True, name=f"gru_{i}")
        x = layers.Bidirectional(recurrent, name=f"bidirectional_{i}", merge_mode="concat")(x)
        if i < rnn_layers:
            x = layers.Dropout(rate=0.5)(x)
    x = layers.Dense(units=rnn_units * 2, name="dense_1")(x)
    x = layers.ReLU(name="dense_1_relu")(x)
    x = layers.Dropout(rate=0.5)(x)
    output = layers.Dense(units=output_dim + 1, activation="softmax")(x)
    return keras.Model(input_spectrogram, output, name="DeepSpeech_2")


ARCHITECTURES = [
    Architecture("speaker_recognition", EXAMPLES + "speaker_recognition_using_cnn/",
                 "Conv1D residual blocks with Add, MaxPool1D, AveragePooling1D", speaker_recognition),
    Architecture("ctc_asr_deepspeech2", EXAMPLES + "ctc_asr/",
                 "spectrogram Reshape, Conv2D, Bidirectional(GRU) named wrappers, variable time axis",
                 deepspeech2_ctc, fast=True),
]
