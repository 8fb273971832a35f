"""Everything that turns a project into something that runs outside netbuilder.

SavedModel, TFLite (plain and quantized, with its report), ONNX, the generated Python script,
the training package, the raw-column, image and text serving fronts, the `netbuilder predict`
helpers that go through them, and the deployment check that says what each format cannot run.
Most of it needs the datasets and settings of `training`, so the package sits above both
`keras_bridge` and `training` and dependencies point one way: graph → catalog → keras_bridge →
training → export → ui / cli (`[tool.importlinter]` in pyproject.toml). The plain `.keras` file
stays in `keras_bridge.export`, because training saves each run with it.
"""
