"""Models from the Keras developer guides (functional API, Sequential, RNNs, masking, preprocessing,
mixed precision, transfer learning), at small sizes."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from corpus import Architecture

FUNCTIONAL = "https://keras.io/guides/functional_api/"
SEQUENTIAL = "https://keras.io/guides/sequential_model/"
RNNS = "https://keras.io/guides/working_with_rnns/"
MASKING = "https://keras.io/guides/understanding_masking_and_padding/"
PREPROCESSING = "https://keras.io/guides/preprocessing_layers/"
MIXED = "https://keras.io/guides/mixed_precision/"
TRANSFER = "https://keras.io/guides/transfer_learning/"

TEXTS = np.array(["the quick brown fox", "jumped over the lazy dog", "the dog sat",
                  "a quick brown dog ran", "over and over the fox ran"])


def mnist_mlp() -> keras.Model:
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")


def autoencoder_shared_layers() -> keras.Model:
    """One graph of layers, two models: the autoencoder reuses the encoder's layers."""
    encoder_input = keras.Input(shape=(28, 28, 1), name="img")
    x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    encoder_output = layers.GlobalMaxPooling2D()(x)
    keras.Model(encoder_input, encoder_output, name="encoder")
    x = layers.Reshape((4, 4, 1))(encoder_output)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    decoder_output = layers.Conv2DTranspose(1, 3, activation="relu")(x)
    return keras.Model(encoder_input, decoder_output, name="autoencoder")


def autoencoder_nested_models() -> keras.Model:
    """"All models are callable, just like layers": an encoder model and a decoder model called in a third."""
    encoder_input = keras.Input(shape=(28, 28, 1), name="original_img")
    x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    encoder_output = layers.GlobalMaxPooling2D()(x)
    encoder = keras.Model(encoder_input, encoder_output, name="encoder")
    decoder_input = keras.Input(shape=(16,), name="encoded_img")
    x = layers.Reshape((4, 4, 1))(decoder_input)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    decoder_output = layers.Conv2DTranspose(1, 3, activation="relu")(x)
    decoder = keras.Model(decoder_input, decoder_output, name="decoder")
    autoencoder_input = keras.Input(shape=(28, 28, 1), name="img")
    encoded_img = encoder(autoencoder_input)
    decoded_img = decoder(encoded_img)
    return keras.Model(autoencoder_input, decoded_img, name="autoencoder")


def ensemble() -> keras.Model:
    def get_model() -> keras.Model:
        inputs = keras.Input(shape=(128,))
        outputs = layers.Dense(1)(inputs)
        return keras.Model(inputs, outputs)

    model1, model2, model3 = get_model(), get_model(), get_model()
    inputs = keras.Input(shape=(128,))
    y1, y2, y3 = model1(inputs), model2(inputs), model3(inputs)
    outputs = layers.average([y1, y2, y3])
    return keras.Model(inputs=inputs, outputs=outputs)


def ticket_classifier() -> keras.Model:
    """Three inputs, two named outputs (priority, department)."""
    num_tags, num_words, num_departments = 12, 100, 4
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.Embedding(num_words, 16)(title_input)
    body_features = layers.Embedding(num_words, 16)(body_input)
    title_features = layers.LSTM(16)(title_features)
    body_features = layers.LSTM(8)(body_features)
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    return keras.Model(inputs=[title_input, body_input, tags_input],
                       outputs={"priority": priority_pred, "department": department_pred})


def toy_resnet() -> keras.Model:
    inputs = keras.Input(shape=(32, 32, 3), name="img")
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_3_output = layers.add([x, block_2_output])
    x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs, outputs, name="toy_resnet")


def shared_embedding() -> keras.Model:
    shared = layers.Embedding(1000, 128)
    text_input_a = keras.Input(shape=(None,), dtype="int32")
    text_input_b = keras.Input(shape=(None,), dtype="int32")
    encoded_input_a = shared(text_input_a)
    encoded_input_b = shared(text_input_b)
    return keras.Model([text_input_a, text_input_b], [encoded_input_a, encoded_input_b])


def sequential_convnet() -> keras.Model:
    model = keras.Sequential()
    model.add(keras.Input(shape=(64, 64, 3)))
    model.add(layers.Conv2D(32, 5, strides=2, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(3))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.Conv2D(32, 3, activation="relu"))
    model.add(layers.MaxPooling2D(2))
    model.add(layers.GlobalMaxPooling2D())
    model.add(layers.Dense(10))
    return model


def sequential_built_by_a_call() -> keras.Model:
    """A Sequential with no Input, built by calling it on data."""
    model = keras.Sequential([layers.Dense(2, activation="relu", name="layer1"),
                              layers.Dense(3, activation="relu", name="layer2"),
                              layers.Dense(4, name="layer3")])
    model(keras.ops.ones((3, 3)))
    return model


def sequential_feature_extractor() -> keras.Model:
    """A functional model over a Sequential's layers: every layer's output is an output."""
    initial_model = keras.Sequential([keras.Input(shape=(64, 64, 3)),
                                      layers.Conv2D(32, 5, strides=2, activation="relu"),
                                      layers.Conv2D(32, 3, activation="relu", name="my_intermediate_layer"),
                                      layers.Conv2D(32, 3, activation="relu")])
    return keras.Model(inputs=initial_model.inputs, outputs=[layer.output for layer in initial_model.layers])


def rnn_lstm() -> keras.Model:
    model = keras.Sequential()
    model.add(keras.Input(shape=(None,), dtype="int32"))
    model.add(layers.Embedding(input_dim=1000, output_dim=64))
    model.add(layers.LSTM(128))
    model.add(layers.Dense(10))
    return model


def rnn_gru_simplernn() -> keras.Model:
    model = keras.Sequential()
    model.add(keras.Input(shape=(None,), dtype="int32"))
    model.add(layers.Embedding(input_dim=1000, output_dim=64))
    model.add(layers.GRU(256, return_sequences=True))
    model.add(layers.SimpleRNN(128))
    model.add(layers.Dense(10))
    return model


def rnn_encoder_decoder() -> keras.Model:
    """The decoder LSTM starts from the encoder's states, passed by keyword (`initial_state=`)."""
    encoder_vocab, decoder_vocab = 1000, 2000
    encoder_input = keras.Input(shape=(None,))
    encoder_embedded = layers.Embedding(input_dim=encoder_vocab, output_dim=64)(encoder_input)
    output, state_h, state_c = layers.LSTM(64, return_state=True, name="encoder")(encoder_embedded)
    encoder_state = [state_h, state_c]
    decoder_input = keras.Input(shape=(None,))
    decoder_embedded = layers.Embedding(input_dim=decoder_vocab, output_dim=64)(decoder_input)
    decoder_output = layers.LSTM(64, name="decoder")(decoder_embedded, initial_state=encoder_state)
    output = layers.Dense(10)(decoder_output)
    return keras.Model([encoder_input, decoder_input], output)


def rnn_bidirectional() -> keras.Model:
    model = keras.Sequential()
    model.add(keras.Input(shape=(5, 10)))
    model.add(layers.Bidirectional(layers.LSTM(64, return_sequences=True)))
    model.add(layers.Bidirectional(layers.LSTM(32)))
    model.add(layers.Dense(10))
    return model


def masked_lstm() -> keras.Model:
    """Embedding(mask_zero=True) hands its mask to the LSTM without being told."""
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)(inputs)
    outputs = layers.LSTM(32)(x)
    return keras.Model(inputs, outputs)


def normalized_inputs() -> keras.Model:
    data = np.random.default_rng(1).normal(2.0, 3.0, size=(64, 8)).astype("float32")
    normalizer = layers.Normalization()
    normalizer.adapt(data)
    inputs = keras.Input(shape=(8,))
    x = normalizer(inputs)
    outputs = layers.Dense(3)(x)
    return keras.Model(inputs, outputs)


def multi_hot_bigrams() -> keras.Model:
    text_vectorizer = layers.TextVectorization(output_mode="multi_hot", ngrams=2)
    text_vectorizer.adapt(TEXTS)
    inputs = keras.Input(shape=(1,), dtype="string")
    x = text_vectorizer(inputs)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


def tf_idf_bigrams() -> keras.Model:
    text_vectorizer = layers.TextVectorization(output_mode="tf_idf", ngrams=2)
    text_vectorizer.adapt(TEXTS)
    inputs = keras.Input(shape=(1,), dtype="string")
    x = text_vectorizer(inputs)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


def int_sequences() -> keras.Model:
    text_vectorizer = layers.TextVectorization(output_mode="int")
    text_vectorizer.adapt(TEXTS)
    inputs = keras.Input(shape=(1,), dtype="string")
    x = text_vectorizer(inputs)
    x = layers.Embedding(input_dim=text_vectorizer.vocabulary_size(), output_dim=16)(x)
    x = layers.GRU(8)(x)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


def hashed_categories() -> keras.Model:
    hasher = layers.Hashing(num_bins=64, salt=1337)
    encoder = layers.CategoryEncoding(num_tokens=64, output_mode="multi_hot")
    inputs = keras.Input(shape=(1,), dtype="int64")
    outputs = layers.Dense(2)(encoder(hasher(inputs)))
    return keras.Model(inputs, outputs)


def lookups_one_hot() -> keras.Model:
    """Adapted StringLookup and IntegerLookup one-hot encoders: the vocabulary sets the width."""
    words = layers.StringLookup(output_mode="one_hot")
    words.adapt(np.array(["a", "b", "c", "a", "d"]))
    numbers = layers.IntegerLookup(output_mode="one_hot")
    numbers.adapt(np.array([12, 36, 1138, 42, 36]))
    word = keras.Input(shape=(1,), dtype="string", name="word")
    number = keras.Input(shape=(1,), dtype="int64", name="number")
    x = layers.concatenate([words(word), numbers(number)])
    return keras.Model([word, number], layers.Dense(2)(x))


def mixed_precision_mlp() -> keras.Model:
    previous = keras.config.dtype_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        inputs = keras.Input(shape=(784,), name="digits")
        x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
        x = layers.Dense(64, activation="relu", name="dense_2")(x)
        x = layers.Dense(10, name="dense_logits")(x)
        outputs = layers.Activation("softmax", dtype="float32", name="predictions")(x)
        return keras.Model(inputs=inputs, outputs=outputs)
    finally:
        keras.mixed_precision.set_global_policy(previous)


def frozen_base_training_false() -> keras.Model:
    """A frozen keras.applications base called with `training=False` (Xception in the guide)."""
    data_augmentation = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)])
    base_model = keras.applications.MobileNetV3Small(weights=None, input_shape=(64, 64, 3), include_top=False,
                                                     minimalistic=True, include_preprocessing=False)
    base_model.trainable = False
    inputs = keras.Input(shape=(64, 64, 3))
    x = data_augmentation(inputs)
    scale_layer = layers.Rescaling(scale=1 / 127.5, offset=-1)
    x = scale_layer(x)
    x = base_model(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


def _words(rng: np.random.Generator, name: str, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    return rng.choice(TEXTS, size=shape)


ARCHITECTURES = [
    Architecture("functional_mnist_mlp", FUNCTIONAL, "first functional model: Input, Dense, named model",
                 mnist_mlp, h5=True),
    Architecture("functional_autoencoder_shared_layers", FUNCTIONAL,
                 "one graph of layers for two models; Conv2DTranspose, UpSampling2D, Reshape", autoencoder_shared_layers),
    Architecture("functional_autoencoder_nested_models", FUNCTIONAL,
                 "encoder and decoder models called inside a third (output node index 1)",
                 autoencoder_nested_models, fast=True, h5=True),
    Architecture("functional_ensemble", FUNCTIONAL, "three nested models averaged", ensemble),
    Architecture("functional_ticket_classifier", FUNCTIONAL,
                 "three inputs, dict outputs {priority, department}, Embedding, LSTM, concatenate",
                 ticket_classifier, fast=True, h5=True),
    Architecture("functional_toy_resnet", FUNCTIONAL, "residual adds (layers.add), pooling", toy_resnet),
    Architecture("functional_shared_embedding", FUNCTIONAL, "one Embedding called on two inputs", shared_embedding),
    Architecture("sequential_convnet", SEQUENTIAL, "Sequential built with add()", sequential_convnet),
    Architecture("sequential_built_by_a_call", SEQUENTIAL, "Sequential without Input, built by a call",
                 sequential_built_by_a_call),
    Architecture("sequential_feature_extractor", SEQUENTIAL,
                 "functional model over a Sequential's layers, every layer an output", sequential_feature_extractor),
    Architecture("rnn_lstm", RNNS, "Embedding, LSTM in a Sequential", rnn_lstm),
    Architecture("rnn_gru_simplernn", RNNS, "GRU(return_sequences) into SimpleRNN", rnn_gru_simplernn),
    Architecture("rnn_encoder_decoder", RNNS, "LSTM states passed as initial_state= (keyword ports)",
                 rnn_encoder_decoder, fast=True),
    Architecture("rnn_bidirectional", RNNS, "Bidirectional(LSTM) wrappers", rnn_bidirectional),
    Architecture("masking_embedding_lstm", MASKING, "mask_zero mask handed to the LSTM implicitly", masked_lstm),
    Architecture("preprocessing_normalization", PREPROCESSING, "adapted Normalization (mean, variance)",
                 normalized_inputs, fast=True),
    Architecture("preprocessing_multi_hot_bigrams", PREPROCESSING, "adapted TextVectorization multi_hot bigrams",
                 multi_hot_bigrams, sample=_words),
    Architecture("preprocessing_tf_idf_bigrams", PREPROCESSING, "adapted TextVectorization tf_idf (IDF weights)",
                 tf_idf_bigrams, fast=True, sample=_words),
    Architecture("preprocessing_int_sequences", PREPROCESSING, "TextVectorization int, Embedding, GRU",
                 int_sequences, sample=_words),
    Architecture("preprocessing_hashing_trick", PREPROCESSING, "Hashing, CategoryEncoding multi_hot",
                 hashed_categories),
    Architecture("preprocessing_lookups_one_hot", PREPROCESSING, "adapted StringLookup, IntegerLookup one_hot",
                 lookups_one_hot, sample=lambda rng, name, shape, dtype: (
                     rng.choice(["a", "b", "z"], size=shape) if dtype == "string"
                     else rng.choice([12, 36, 7], size=shape))),
    Architecture("mixed_precision_mlp", MIXED, "mixed_float16 policy, float32 softmax", mixed_precision_mlp,
                 fast=True),
    Architecture("transfer_frozen_base", TRANSFER,
                 "augmentation Sequential, Rescaling with offset, frozen nested base called with training=False",
                 frozen_base_training_false),
]
