"""keras.io models that carry Python code: custom classes, Lambdas, Python functions in configs.

Each is reproduced with its code registered with Keras (so Keras itself could
load it), and every piece of that code notes in `RAN` that it ran: importing
the saved file must name the culprit (layer and class) and leave `RAN` empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import keras
from keras import layers, ops

RAN: list[str] = []


@keras.saving.register_keras_serializable(package="corpus")
class Antirectifier(layers.Layer):
    """https://keras.io/examples/keras_recipes/antirectifier/"""

    def __init__(self, initializer="he_normal", **kwargs):
        RAN.append("Antirectifier.__init__")
        super().__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1] * 2, input_shape[-1]), initializer=self.initializer,
                                      name="kernel", trainable=True)

    def call(self, inputs):
        RAN.append("Antirectifier.call")
        inputs -= ops.mean(inputs, axis=-1, keepdims=True)
        concatenated = ops.concatenate([ops.relu(inputs), ops.relu(-inputs)], axis=-1)
        return ops.matmul(concatenated, self.kernel)

    def get_config(self):
        return {**super().get_config(), "initializer": keras.initializers.serialize(self.initializer)}


@keras.saving.register_keras_serializable(package="corpus")
class CTCLayer(layers.Layer):
    """https://keras.io/examples/vision/captcha_ocr/"""

    def __init__(self, name=None, **kwargs):
        RAN.append("CTCLayer.__init__")
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        RAN.append("CTCLayer.call")
        return y_pred


@keras.saving.register_keras_serializable(package="corpus")
class Sampling(layers.Layer):
    """https://keras.io/examples/generative/vae/"""

    def __init__(self, **kwargs):
        RAN.append("Sampling.__init__")
        super().__init__(**kwargs)

    def call(self, inputs):
        RAN.append("Sampling.call")
        z_mean, z_log_var = inputs
        return z_mean + ops.exp(0.5 * z_log_var)


@keras.saving.register_keras_serializable(package="corpus")
class OrthogonalRegularizer(keras.regularizers.Regularizer):
    """https://keras.io/examples/vision/pointnet/"""

    def __init__(self, num_features, l2reg=0.001):
        RAN.append("OrthogonalRegularizer.__init__")
        self.num_features = num_features
        self.l2reg = l2reg

    def __call__(self, x):
        RAN.append("OrthogonalRegularizer.__call__")
        return ops.sum(self.l2reg * ops.square(x))

    def get_config(self):
        return {"num_features": self.num_features, "l2reg": self.l2reg}


@keras.saving.register_keras_serializable(package="corpus")
class EmbeddingModel(keras.Model):
    """https://keras.io/examples/vision/metric_learning/ (a Model subclass with its own train_step)."""

    def train_step(self, data):
        RAN.append("EmbeddingModel.train_step")
        return super().train_step(data)


@keras.saving.register_keras_serializable(package="corpus")
def custom_standardization(input_data):
    """https://keras.io/examples/nlp/text_classification_from_scratch/"""
    RAN.append("custom_standardization")
    return ops.strings.lower(input_data) if hasattr(ops, "strings") else input_data


def euclidean_distance(vects):
    """https://keras.io/examples/vision/siamese_contrastive/"""
    RAN.append("euclidean_distance")
    x, y = vects
    sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
    return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))


def antirectifier_mlp() -> keras.Model:
    return keras.Sequential([keras.Input(shape=(16,)), layers.Dense(8), Antirectifier(name="antirectifier"),
                             layers.Dense(4)])


def captcha_ocr() -> keras.Model:
    input_img = layers.Input(shape=(32, 8, 1), name="image", dtype="float32")
    labels = layers.Input(name="label", shape=(None,), dtype="float32")
    x = layers.Conv2D(8, (3, 3), activation="relu", padding="same", name="Conv1")(input_img)
    x = layers.Reshape(target_shape=(32, 64), name="reshape")(x)
    x = layers.Dense(10, activation="softmax", name="dense2")(x)
    output = CTCLayer(name="ctc_loss")(labels, x)
    return keras.models.Model(inputs=[input_img, labels], outputs=output, name="ocr_model_v1")


def text_vectorizer_with_python_standardize() -> keras.Model:
    vectorize_layer = layers.TextVectorization(standardize=custom_standardization, max_tokens=50,
                                               output_mode="int", output_sequence_length=8)
    inputs = keras.Input(shape=(1,), dtype="string")
    return keras.Model(inputs, layers.Embedding(50, 4)(vectorize_layer(inputs)))


def siamese_lambda_distance() -> keras.Model:
    input = layers.Input((8,))
    embedding_network = keras.Model(input, layers.Dense(4, activation="tanh")(input))
    input_1, input_2 = layers.Input((8,)), layers.Input((8,))
    tower_1, tower_2 = embedding_network(input_1), embedding_network(input_2)
    merge_layer = layers.Lambda(euclidean_distance, output_shape=(1,), name="distance")([tower_1, tower_2])
    output_layer = layers.Dense(1, activation="sigmoid")(merge_layer)
    return keras.Model(inputs=[input_1, input_2], outputs=output_layer)


def vae_encoder() -> keras.Model:
    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(8, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Flatten()(x)
    z_mean = layers.Dense(2, name="z_mean")(x)
    z_log_var = layers.Dense(2, name="z_log_var")(x)
    z = Sampling(name="sampling")([z_mean, z_log_var])
    return keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")


def pointnet_tnet() -> keras.Model:
    inputs = keras.Input(shape=(16, 3))
    x = layers.Conv1D(8, kernel_size=1, padding="valid")(inputs)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(9, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(0.0),
                     activity_regularizer=OrthogonalRegularizer(3), name="tnet_dense")(x)
    feat_t = layers.Reshape((3, 3))(x)
    return keras.Model(inputs, layers.Dot(axes=(2, 1))([inputs, feat_t]))


def metric_learning_embedding_model() -> keras.Model:
    inputs = layers.Input(shape=(16, 16, 3))
    x = layers.Conv2D(filters=8, kernel_size=3, strides=2, activation="relu")(inputs)
    x = layers.GlobalAveragePooling2D()(x)
    embeddings = layers.UnitNormalization()(layers.Dense(units=8)(x))
    return EmbeddingModel(inputs, embeddings)


@dataclass(frozen=True)
class Refusal:
    """A model with code in it, and what the refusal must say."""

    name: str
    source: str
    build: Callable[[], keras.Model]
    message: str


REFUSALS = [
    Refusal("antirectifier", "https://keras.io/examples/keras_recipes/antirectifier/", antirectifier_mlp,
            "layer 'antirectifier' is of the custom class Antirectifier"),
    Refusal("captcha_ocr_ctc_layer", "https://keras.io/examples/vision/captcha_ocr/", captcha_ocr,
            "layer 'ctc_loss' is of the custom class CTCLayer"),
    Refusal("text_classification_custom_standardization",
            "https://keras.io/examples/nlp/text_classification_from_scratch/", text_vectorizer_with_python_standardize,
            "(TextVectorization) uses the Python function 'custom_standardization' as its standardize"),
    Refusal("siamese_contrastive_lambda", "https://keras.io/examples/vision/siamese_contrastive/",
            siamese_lambda_distance, "layer 'distance' is a Lambda, which carries Python code"),
    Refusal("vae_sampling_layer", "https://keras.io/examples/generative/vae/", vae_encoder,
            "layer 'sampling' is of the custom class Sampling"),
    Refusal("pointnet_orthogonal_regularizer", "https://keras.io/examples/vision/pointnet/", pointnet_tnet,
            "layer 'tnet_dense' (Dense) uses the custom class OrthogonalRegularizer as its activity_regularizer"),
    Refusal("metric_learning_model_subclass", "https://keras.io/examples/vision/metric_learning/",
            metric_learning_embedding_model, "is of the custom class EmbeddingModel"),
]
