"""Text models from keras.io/examples/nlp, at small sizes (vocabularies adapted to a few sentences)."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from corpus import Architecture

EXAMPLES = "https://keras.io/examples/nlp/"
REVIEWS = np.array(["this movie was great fun", "terrible plot and bad acting", "great acting, great story",
                    "i would not watch it again", "a fun film for the whole family", "bad, bad, bad"])


def _reviews(rng, name, shape, dtype):
    return rng.choice(REVIEWS, size=shape)


def _conv_classifier(max_features: int) -> keras.Model:
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(max_features, 16)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(16, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    return keras.Model(inputs, predictions)


def text_classification_end_to_end() -> keras.Model:
    """A model taking raw strings: the adapted vectorizer, then the trained classifier as a nested model."""
    max_features = 64
    vectorize_layer = layers.TextVectorization(max_tokens=max_features, output_mode="int", output_sequence_length=64)
    vectorize_layer.adapt(REVIEWS)
    model = _conv_classifier(max_features)
    inputs = keras.Input(shape=(1,), dtype="string")
    indices = vectorize_layer(inputs)
    outputs = model(indices)
    return keras.Model(inputs, outputs)


def bidirectional_lstm_imdb() -> keras.Model:
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(200, 16)(inputs)
    x = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(8))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


def _seq2seq() -> tuple[keras.Model, keras.Model, keras.Model]:
    """The training model and the two sampling models the example builds from its layers."""
    num_encoder_tokens, num_decoder_tokens, latent_dim = 12, 14, 16
    encoder_inputs = keras.Input(shape=(None, num_encoder_tokens))
    encoder = layers.LSTM(latent_dim, return_state=True)
    encoder_outputs, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None, num_decoder_tokens))
    decoder_lstm = layers.LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = layers.Dense(num_decoder_tokens, activation="softmax")
    decoder_outputs = decoder_dense(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
    encoder_model = keras.Model(encoder_inputs, encoder_states)
    decoder_state_input_h = keras.Input(shape=(latent_dim,))
    decoder_state_input_c = keras.Input(shape=(latent_dim,))
    decoder_states_inputs = [decoder_state_input_h, decoder_state_input_c]
    decoder_outputs, state_h_dec, state_c_dec = decoder_lstm(decoder_inputs, initial_state=decoder_states_inputs)
    decoder_outputs = decoder_dense(decoder_outputs)
    decoder_model = keras.Model([decoder_inputs] + decoder_states_inputs,
                                [decoder_outputs] + [state_h_dec, state_c_dec])
    return model, encoder_model, decoder_model


def addition_rnn() -> keras.Model:
    model = keras.Sequential()
    model.add(layers.Input((7, 12)))
    model.add(layers.LSTM(16))
    model.add(layers.RepeatVector(4))
    model.add(layers.LSTM(16, return_sequences=True))
    model.add(layers.Dense(12, activation="softmax"))
    return model


def pretrained_embeddings_end_to_end() -> keras.Model:
    """A frozen Embedding holding a given matrix, a Conv1D stack, and an end-to-end string model."""
    vectorizer = layers.TextVectorization(max_tokens=40, output_sequence_length=64)
    vectorizer.adapt(REVIEWS)
    num_tokens, embedding_dim = len(vectorizer.get_vocabulary()) + 2, 8
    embedding_matrix = np.random.default_rng(3).normal(size=(num_tokens, embedding_dim))
    embedding_layer = layers.Embedding(num_tokens, embedding_dim, trainable=False)
    embedding_layer.build((1,))
    embedding_layer.set_weights([embedding_matrix])
    int_sequences_input = keras.Input(shape=(None,), dtype="int32")
    embedded_sequences = embedding_layer(int_sequences_input)
    x = layers.Conv1D(16, 5, activation="relu")(embedded_sequences)
    x = layers.MaxPooling1D(2)(x)
    x = layers.Conv1D(16, 5, activation="relu")(x)
    x = layers.MaxPooling1D(2)(x)
    x = layers.Conv1D(16, 5, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(16, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    preds = layers.Dense(3, activation="softmax")(x)
    model = keras.Model(int_sequences_input, preds)
    string_input = keras.Input(shape=(1,), dtype="string")
    x = vectorizer(string_input)
    preds = model(x)
    return keras.Model(string_input, preds)


def multi_label_tf_idf() -> keras.Model:
    """`keras.Sequential([text_vectorizer, shallow_mlp_model])`: a Sequential nested in a Sequential."""
    text_vectorizer = layers.TextVectorization(max_tokens=64, ngrams=2, output_mode="tf_idf")
    text_vectorizer.adapt(REVIEWS)
    shallow_mlp_model = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(8, activation="relu"),
                                          layers.Dense(5, activation="sigmoid")])
    model_for_inference = keras.Sequential([text_vectorizer, shallow_mlp_model])
    model_for_inference(REVIEWS[:2])  # built by its first call, on a batch of raw strings
    return model_for_inference


def active_learning_classifier() -> keras.Model:
    return keras.models.Sequential([
        layers.Input(shape=(30,)),
        layers.Embedding(input_dim=300, output_dim=16),
        layers.Bidirectional(layers.LSTM(8, return_sequences=True)),
        layers.GlobalMaxPool1D(),
        layers.Dense(20, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(1, activation="sigmoid"),
    ])


ARCHITECTURES = [
    Architecture("text_classification_end_to_end", EXAMPLES + "text_classification_from_scratch/",
                 "string input, adapted TextVectorization, the classifier as a nested model", text_classification_end_to_end,
                 fast=True, sample=_reviews),
    Architecture("bidirectional_lstm_imdb", EXAMPLES + "bidirectional_lstm_imdb/",
                 "Embedding, stacked Bidirectional(LSTM)", bidirectional_lstm_imdb, h5=True),
    Architecture("lstm_seq2seq_training", EXAMPLES + "lstm_seq2seq/",
                 "encoder states as initial_state=, unused LSTM state outputs", lambda: _seq2seq()[0], h5=True),
    Architecture("lstm_seq2seq_encoder", EXAMPLES + "lstm_seq2seq/",
                 "a model whose outputs are an LSTM's outputs 1 and 2 (its states)", lambda: _seq2seq()[1]),
    Architecture("lstm_seq2seq_decoder", EXAMPLES + "lstm_seq2seq/",
                 "the training model's LSTM and Dense called again (second call), states from new Inputs",
                 lambda: _seq2seq()[2], fast=True, h5=True),
    Architecture("addition_rnn", EXAMPLES + "addition_rnn/", "LSTM, RepeatVector, LSTM sequences", addition_rnn),
    Architecture("pretrained_word_embeddings", EXAMPLES + "pretrained_word_embeddings/",
                 "frozen Embedding with a given matrix, Conv1D stack, end-to-end string model",
                 pretrained_embeddings_end_to_end, sample=_reviews),
    Architecture("multi_label_classification", EXAMPLES + "multi_label_classification/",
                 "Sequential of an adapted tf_idf bigram TextVectorization and a nested Sequential MLP",
                 multi_label_tf_idf, sample=_reviews),
    Architecture("active_learning_classifier", EXAMPLES + "active_learning_review_classification/",
                 "Sequential with layers.Input, Bidirectional, GlobalMaxPool1D", active_learning_classifier),
]
