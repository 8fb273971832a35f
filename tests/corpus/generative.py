"""Generative models from keras.io/examples/generative, at small sizes."""

from __future__ import annotations

import keras
from keras import layers

from corpus import Architecture

EXAMPLES = "https://keras.io/examples/generative/"


def dcgan_discriminator() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        layers.Conv2D(16, kernel_size=4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(32, kernel_size=4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(32, kernel_size=4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Flatten(),
        layers.Dropout(0.2),
        layers.Dense(1, activation="sigmoid"),
    ], name="discriminator")


def dcgan_generator() -> keras.Model:
    latent_dim = 16
    return keras.Sequential([
        keras.Input(shape=(latent_dim,)),
        layers.Dense(4 * 4 * 16),
        layers.Reshape((4, 4, 16)),
        layers.Conv2DTranspose(16, kernel_size=4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2DTranspose(32, kernel_size=4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2DTranspose(64, kernel_size=4, strides=2, padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(3, kernel_size=5, padding="same", activation="sigmoid"),
    ], name="generator")


def vae_decoder() -> keras.Model:
    latent_inputs = keras.Input(shape=(2,))
    x = layers.Dense(7 * 7 * 16, activation="relu")(latent_inputs)
    x = layers.Reshape((7, 7, 16))(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(8, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x)
    return keras.Model(latent_inputs, decoder_outputs, name="decoder")


def conditional_gan_discriminator() -> keras.Model:
    return keras.Sequential([
        keras.layers.InputLayer((28, 28, 11)),
        layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(32, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.GlobalMaxPooling2D(),
        layers.Dense(1),
    ], name="discriminator")


def conditional_gan_generator() -> keras.Model:
    generator_in_channels = 26
    return keras.Sequential([
        keras.layers.InputLayer((generator_in_channels,)),
        layers.Dense(7 * 7 * generator_in_channels),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Reshape((7, 7, generator_in_channels)),
        layers.Conv2DTranspose(16, (4, 4), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2DTranspose(16, (4, 4), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(1, (7, 7), padding="same", activation="sigmoid"),
    ], name="generator")


def _conv_block(x, filters, activation, kernel_size=(3, 3), strides=(1, 1), padding="same", use_bias=True,
                use_bn=False, use_dropout=False, drop_value=0.5):
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias)(x)
    if use_bn:
        x = layers.BatchNormalization()(x)
    x = activation(x)
    if use_dropout:
        x = layers.Dropout(drop_value)(x)
    return x


def wgan_gp_discriminator() -> keras.Model:
    img_input = layers.Input(shape=(28, 28, 1))
    x = layers.ZeroPadding2D((2, 2))(img_input)
    x = _conv_block(x, 8, kernel_size=(5, 5), strides=(2, 2), use_bn=False, use_bias=True,
                    activation=layers.LeakyReLU(0.2), use_dropout=False, drop_value=0.3)
    x = _conv_block(x, 16, kernel_size=(5, 5), strides=(2, 2), use_bn=False, activation=layers.LeakyReLU(0.2),
                    use_bias=True, use_dropout=True, drop_value=0.3)
    x = _conv_block(x, 32, kernel_size=(5, 5), strides=(2, 2), use_bn=False, activation=layers.LeakyReLU(0.2),
                    use_bias=True, use_dropout=True, drop_value=0.3)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(1)(x)
    return keras.models.Model(img_input, x, name="discriminator")


def wgan_gp_generator() -> keras.Model:
    def upsample_block(x, filters, activation, kernel_size=(3, 3), strides=(1, 1), up_size=(2, 2),
                       padding="same", use_bn=False, use_bias=True, use_dropout=False, drop_value=0.3):
        x = layers.UpSampling2D(up_size)(x)
        x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias)(x)
        if use_bn:
            x = layers.BatchNormalization()(x)
        if activation:
            x = activation(x)
        if use_dropout:
            x = layers.Dropout(drop_value)(x)
        return x

    noise = layers.Input(shape=(16,))
    x = layers.Dense(4 * 4 * 32, use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Reshape((4, 4, 32))(x)
    x = upsample_block(x, 16, layers.LeakyReLU(0.2), strides=(1, 1), use_bias=False, use_bn=True)
    x = upsample_block(x, 8, layers.LeakyReLU(0.2), strides=(1, 1), use_bias=False, use_bn=True)
    x = upsample_block(x, 1, layers.Activation("tanh"), strides=(1, 1), use_bias=False, use_bn=True)
    x = layers.Cropping2D((2, 2))(x)
    return keras.models.Model(noise, x, name="generator")


def character_lstm() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(20, 30)),
        layers.LSTM(32),
        layers.Dense(30, activation="softmax"),
    ])


ARCHITECTURES = [
    Architecture("dcgan_discriminator", EXAMPLES + "dcgan_overriding_train_step/",
                 "named Sequential, strided Conv2D, LeakyReLU", dcgan_discriminator),
    Architecture("dcgan_generator", EXAMPLES + "dcgan_overriding_train_step/",
                 "Dense, Reshape, Conv2DTranspose upsampling", dcgan_generator, h5=True),
    Architecture("vae_decoder", EXAMPLES + "vae/", "latent Input, Dense, Reshape, Conv2DTranspose", vae_decoder),
    Architecture("conditional_gan_discriminator", EXAMPLES + "conditional_gan/",
                 "Sequential starting with an InputLayer, GlobalMaxPooling2D", conditional_gan_discriminator),
    Architecture("conditional_gan_generator", EXAMPLES + "conditional_gan/",
                 "Sequential InputLayer, LeakyReLU, Conv2DTranspose", conditional_gan_generator, fast=True),
    Architecture("wgan_gp_discriminator", EXAMPLES + "wgan_gp/", "ZeroPadding2D, conv blocks with Dropout",
                 wgan_gp_discriminator),
    Architecture("wgan_gp_generator", EXAMPLES + "wgan_gp/", "UpSampling2D blocks, BatchNormalization, Cropping2D",
                 wgan_gp_generator),
    Architecture("lstm_character_text_generation", EXAMPLES + "lstm_character_level_text_generation/",
                 "one-hot character windows into an LSTM", character_lstm),
]
