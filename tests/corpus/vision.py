"""Computer-vision models from keras.io/examples/vision, at small sizes."""

from __future__ import annotations

import keras
from keras import layers
from keras.src.applications.imagenet_utils import correct_pad

from corpus import Architecture

EXAMPLES = "https://keras.io/examples/vision/"


def mnist_convnet() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def xception_from_scratch() -> keras.Model:
    """image_classification_from_scratch's make_model: separable convs, residual projections."""
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(16, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for size in [16, 32, 48]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    x = layers.SeparableConv2D(64, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(1, activation=None)(x)
    return keras.Model(inputs, outputs)


def unet_segmentation() -> keras.Model:
    """oxford_pets_image_segmentation: Xception-style U-Net, Conv2DTranspose and UpSampling2D residuals."""
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(8, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for filters in [16, 32, 64]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    for filters in [64, 32, 16, 8]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.UpSampling2D(2)(x)
        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])
        previous_block_activation = x
    outputs = layers.Conv2D(3, 3, activation="softmax", padding="same")(x)
    return keras.Model(inputs, outputs)


def conv_lstm_next_frame() -> keras.Model:
    inp = layers.Input(shape=(None, 8, 8, 1))
    x = layers.ConvLSTM2D(filters=8, kernel_size=(5, 5), padding="same", return_sequences=True,
                          activation="relu")(inp)
    x = layers.BatchNormalization()(x)
    x = layers.ConvLSTM2D(filters=8, kernel_size=(3, 3), padding="same", return_sequences=True,
                          activation="relu")(x)
    x = layers.BatchNormalization()(x)
    x = layers.ConvLSTM2D(filters=8, kernel_size=(1, 1), padding="same", return_sequences=True,
                          activation="relu")(x)
    x = layers.Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid", padding="same")(x)
    return keras.Model(inp, x)


def conv_mixer() -> keras.Model:
    def activation_block(x):
        x = layers.Activation("gelu")(x)
        return layers.BatchNormalization()(x)

    def conv_stem(x, filters, patch_size):
        x = layers.Conv2D(filters, kernel_size=patch_size, strides=patch_size)(x)
        return activation_block(x)

    def conv_mixer_block(x, filters, kernel_size):
        x0 = x
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, padding="same")(x)
        x = layers.Add()([activation_block(x), x0])
        x = layers.Conv2D(filters, kernel_size=1)(x)
        return activation_block(x)

    inputs = keras.Input((16, 16, 3))
    x = layers.Rescaling(scale=1.0 / 255)(inputs)
    x = conv_stem(x, 32, 2)
    for _ in range(2):
        x = conv_mixer_block(x, 32, 5)
    x = layers.GlobalAvgPool2D()(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def ct_scan_3d() -> keras.Model:
    inputs = keras.Input((48, 48, 48, 1))
    x = inputs
    for filters in (8, 8, 16, 32):
        x = layers.Conv3D(filters=filters, kernel_size=3, activation="relu")(x)
        x = layers.MaxPool3D(pool_size=2)(x)
        x = layers.BatchNormalization()(x)
    x = layers.GlobalAveragePooling3D()(x)
    x = layers.Dense(units=64, activation="relu")(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(units=1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="3dcnn")


def denoising_autoencoder() -> keras.Model:
    input = layers.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(32, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(32, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    return keras.Model(input, x)


def learnable_resizer() -> keras.Model:
    """One LeakyReLU instance (a default argument) is called in every conv_block: a shared layer."""
    target_size = (16, 16)

    def conv_block(x, filters, kernel_size, strides, activation=layers.LeakyReLU(0.2)):
        x = layers.Conv2D(filters, kernel_size, strides, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        if activation:
            x = activation(x)
        return x

    def res_block(x):
        inputs = x
        x = conv_block(x, 16, 3, 1)
        x = conv_block(x, 16, 3, 1, activation=None)
        return layers.Add()([inputs, x])

    inputs = layers.Input(shape=[None, None, 3])
    naive_resize = layers.Resizing(*target_size, interpolation="bilinear")(inputs)
    x = layers.Conv2D(filters=16, kernel_size=7, strides=1, padding="same")(inputs)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(filters=16, kernel_size=1, strides=1, padding="same")(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.BatchNormalization()(x)
    bottleneck = layers.Resizing(*target_size, interpolation="bilinear")(x)
    for _ in range(2):
        x = res_block(bottleneck)
    x = layers.Conv2D(filters=16, kernel_size=3, strides=1, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Add()([bottleneck, x])
    x = layers.Conv2D(filters=3, kernel_size=7, strides=1, padding="same")(x)
    final_resize = layers.Add()([naive_resize, x])
    return keras.Model(inputs, final_resize, name="learnable_resizer")


def keypoint_detector() -> keras.Model:
    """A frozen MobileNetV2 behind MobileNetV2's preprocess_input (x / 127.5 - 1 on a symbolic tensor)."""
    backbone = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(96, 96, 3), alpha=0.35)
    backbone.trainable = False
    inputs = layers.Input((96, 96, 3))
    x = keras.applications.mobilenet_v2.preprocess_input(inputs)
    x = backbone(x)
    x = layers.Dropout(0.3)(x)
    x = layers.SeparableConv2D(34, kernel_size=2, strides=1, activation="relu")(x)
    outputs = layers.SeparableConv2D(34, kernel_size=2, strides=1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="keypoint_detector")


def distillation_teacher() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
        layers.Conv2D(64, (3, 3), strides=(2, 2), padding="same"),
        layers.Flatten(),
        layers.Dense(10),
    ], name="teacher")


def mobilevit() -> keras.Model:
    """MobileViT XXS: inverted residuals, transformer blocks over unfolded patches, swish on tensors."""
    patch_size, expansion_factor = 4, 2

    def conv_block(x, filters=16, kernel_size=3, strides=2):
        return layers.Conv2D(filters, kernel_size, strides=strides, activation=keras.activations.swish,
                             padding="same")(x)

    def inverted_residual_block(x, expanded_channels, output_channels, strides=1):
        m = layers.Conv2D(expanded_channels, 1, padding="same", use_bias=False)(x)
        m = layers.BatchNormalization()(m)
        m = keras.activations.swish(m)
        if strides == 2:
            m = layers.ZeroPadding2D(padding=correct_pad(m, 3))(m)
        m = layers.DepthwiseConv2D(3, strides=strides, padding="same" if strides == 1 else "valid",
                                   use_bias=False)(m)
        m = layers.BatchNormalization()(m)
        m = keras.activations.swish(m)
        m = layers.Conv2D(output_channels, 1, padding="same", use_bias=False)(m)
        m = layers.BatchNormalization()(m)
        if x.shape[-1] == output_channels and strides == 1:
            return layers.Add()([m, x])
        return m

    def mlp(x, hidden_units, dropout_rate):
        for units in hidden_units:
            x = layers.Dense(units, activation=keras.activations.swish)(x)
            x = layers.Dropout(dropout_rate)(x)
        return x

    def transformer_block(x, transformer_layers, projection_dim, num_heads=2):
        for _ in range(transformer_layers):
            x1 = layers.LayerNormalization(epsilon=1e-6)(x)
            attention_output = layers.MultiHeadAttention(num_heads=num_heads, key_dim=projection_dim,
                                                         dropout=0.1)(x1, x1)
            x2 = layers.Add()([attention_output, x])
            x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
            x3 = mlp(x3, hidden_units=[x.shape[-1] * 2, x.shape[-1]], dropout_rate=0.1)
            x = layers.Add()([x3, x2])
        return x

    def mobilevit_block(x, num_blocks, projection_dim, strides=1):
        local_features = conv_block(x, filters=projection_dim, strides=strides)
        local_features = conv_block(local_features, filters=projection_dim, kernel_size=1, strides=strides)
        num_patches = int((local_features.shape[1] * local_features.shape[2]) / patch_size)
        patches = layers.Reshape((patch_size, num_patches, projection_dim))(local_features)
        global_features = transformer_block(patches, num_blocks, projection_dim)
        folded = layers.Reshape((*local_features.shape[1:-1], projection_dim))(global_features)
        folded = conv_block(folded, filters=x.shape[-1], kernel_size=1, strides=strides)
        local_global_features = layers.Concatenate(axis=-1)([x, folded])
        return conv_block(local_global_features, filters=projection_dim, strides=strides)

    inputs = keras.Input((64, 64, 3))
    x = layers.Rescaling(scale=1.0 / 255)(inputs)
    x = conv_block(x, filters=16)
    x = inverted_residual_block(x, expanded_channels=16 * expansion_factor, output_channels=16)
    x = inverted_residual_block(x, expanded_channels=16 * expansion_factor, output_channels=24, strides=2)
    x = inverted_residual_block(x, expanded_channels=24 * expansion_factor, output_channels=24)
    x = inverted_residual_block(x, expanded_channels=24 * expansion_factor, output_channels=48, strides=2)
    x = mobilevit_block(x, num_blocks=2, projection_dim=32)
    x = inverted_residual_block(x, expanded_channels=32 * expansion_factor, output_channels=48, strides=2)
    x = mobilevit_block(x, num_blocks=1, projection_dim=40)
    x = conv_block(x, filters=64, kernel_size=1, strides=1)
    x = layers.GlobalAvgPool2D()(x)
    outputs = layers.Dense(5, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def deeplab_v3_plus() -> keras.Model:
    """ResNet50 cut at two inner layers, behind resnet50.preprocess_input (channel flip, mean subtraction)."""
    image_size = 64

    def convolution_block(block_input, num_filters=32, kernel_size=3, dilation_rate=1, use_bias=False):
        x = layers.Conv2D(num_filters, kernel_size=kernel_size, dilation_rate=dilation_rate, padding="same",
                          use_bias=use_bias, kernel_initializer=keras.initializers.HeNormal())(block_input)
        x = layers.BatchNormalization()(x)
        return keras.ops.nn.relu(x)

    def dilated_spatial_pyramid_pooling(dspp_input):
        dims = dspp_input.shape
        x = layers.AveragePooling2D(pool_size=(dims[-3], dims[-2]))(dspp_input)
        x = convolution_block(x, kernel_size=1, use_bias=True)
        out_pool = layers.UpSampling2D(size=(dims[-3] // x.shape[1], dims[-2] // x.shape[2]),
                                       interpolation="bilinear")(x)
        out_1 = convolution_block(dspp_input, kernel_size=1, dilation_rate=1)
        out_6 = convolution_block(dspp_input, kernel_size=3, dilation_rate=6)
        out_12 = convolution_block(dspp_input, kernel_size=3, dilation_rate=12)
        out_18 = convolution_block(dspp_input, kernel_size=3, dilation_rate=18)
        x = layers.Concatenate(axis=-1)([out_pool, out_1, out_6, out_12, out_18])
        return convolution_block(x, kernel_size=1)

    model_input = keras.Input(shape=(image_size, image_size, 3))
    preprocessed = keras.applications.resnet50.preprocess_input(model_input)
    resnet50 = keras.applications.ResNet50(weights=None, include_top=False, input_tensor=preprocessed)
    x = resnet50.get_layer("conv4_block6_2_relu").output
    x = dilated_spatial_pyramid_pooling(x)
    input_a = layers.UpSampling2D(size=(image_size // 4 // x.shape[1], image_size // 4 // x.shape[2]),
                                  interpolation="bilinear")(x)
    input_b = resnet50.get_layer("conv2_block3_2_relu").output
    input_b = convolution_block(input_b, num_filters=48, kernel_size=1)
    x = layers.Concatenate(axis=-1)([input_a, input_b])
    x = convolution_block(x)
    x = convolution_block(x)
    x = layers.UpSampling2D(size=(image_size // x.shape[1], image_size // x.shape[2]), interpolation="bilinear")(x)
    model_output = layers.Conv2D(3, kernel_size=(1, 1), padding="same")(x)
    return keras.Model(inputs=model_input, outputs=model_output)


def efficientnet_fine_tuning() -> keras.Model:
    """EfficientNetB0 built on an augmented input tensor, frozen, with a new top."""
    img_augmentation_layers = [layers.RandomRotation(factor=0.15), layers.RandomTranslation(height_factor=0.1,
                               width_factor=0.1), layers.RandomFlip(), layers.RandomContrast(factor=0.1)]

    def img_augmentation(images):
        for layer in img_augmentation_layers:
            images = layer(images)
        return images

    inputs = layers.Input(shape=(64, 64, 3))
    x = img_augmentation(inputs)
    model = keras.applications.EfficientNetB0(include_top=False, input_tensor=x, weights=None)
    model.trainable = False
    x = layers.GlobalAveragePooling2D(name="avg_pool")(model.output)
    x = layers.BatchNormalization()(x)
    x = layers.Dropout(0.2, name="top_dropout")(x)
    outputs = layers.Dense(5, activation="softmax", name="pred")(x)
    return keras.Model(inputs, outputs, name="EfficientNet")


def _images(rng, name, shape, dtype):
    return rng.uniform(0, 255, size=shape).astype(dtype)


ARCHITECTURES = [
    Architecture("mnist_convnet", EXAMPLES + "mnist_convnet/", "Sequential convnet, Flatten, Dropout",
                 mnist_convnet, fast=True, h5=True),
    Architecture("image_classification_from_scratch", EXAMPLES + "image_classification_from_scratch/",
                 "Xception-like: Rescaling, SeparableConv2D, BatchNorm, residual projections", xception_from_scratch),
    Architecture("oxford_pets_unet", EXAMPLES + "oxford_pets_image_segmentation/",
                 "U-Net: Conv2DTranspose, UpSampling2D residuals, per-pixel softmax", unet_segmentation),
    Architecture("conv_lstm_next_frame", EXAMPLES + "conv_lstm/", "ConvLSTM2D sequences, Conv3D, variable time axis",
                 conv_lstm_next_frame),
    Architecture("convmixer", EXAMPLES + "convmixer/", "patch stem, DepthwiseConv2D residuals, gelu",
                 conv_mixer, fast=True),
    Architecture("ct_scan_3d_classification", EXAMPLES + "3D_image_classification/",
                 "Conv3D, MaxPool3D, GlobalAveragePooling3D", ct_scan_3d),
    Architecture("denoising_autoencoder", EXAMPLES + "autoencoder/", "conv encoder, Conv2DTranspose decoder",
                 denoising_autoencoder),
    Architecture("learnable_resizer", EXAMPLES + "learnable_resizer/",
                 "Resizing bottleneck, one LeakyReLU shared by every block (called 4 times)", learnable_resizer,
                 fast=True),
    Architecture("keypoint_detection", EXAMPLES + "keypoint_detection/",
                 "frozen nested MobileNetV2, preprocess_input ops (x / 127.5 - 1)", keypoint_detector,
                 sample=_images),
    Architecture("knowledge_distillation_teacher", EXAMPLES + "knowledge_distillation/",
                 "Sequential with LeakyReLU, strided pooling", distillation_teacher),
    Architecture("mobilevit_xxs", EXAMPLES + "mobilevit/",
                 "swish applied to tensors, MultiHeadAttention over unfolded patches, ZeroPadding2D",
                 mobilevit),
    Architecture("deeplabv3_plus", EXAMPLES + "deeplabv3_plus/",
                 "ResNet50 inner layers as features, preprocess_input slicing ops, dilated ASPP, ops.nn.relu",
                 deeplab_v3_plus, sample=_images),
    Architecture("efficientnet_fine_tuning", EXAMPLES + "image_classification_efficientnet_fine_tuning/",
                 "EfficientNetB0 on an augmented input tensor (its own Rescaling, Normalization), new top",
                 efficientnet_fine_tuning, sample=_images),
]
