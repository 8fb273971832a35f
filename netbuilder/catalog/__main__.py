"""`python -m netbuilder.catalog`: regenerate the bundled `layers.json` from the installed Keras.

Run it after upgrading Keras and commit the result; the output is sorted, so
regenerating with the same Keras gives identical bytes.
"""

from __future__ import annotations

import os


def main() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow is first imported
    from netbuilder.catalog.cache import BUNDLED
    from netbuilder.catalog.introspect import build_catalog

    catalog = build_catalog()
    with open(BUNDLED, "w", encoding="utf-8", newline="\n") as file:
        file.write(catalog.to_json())
    print(f"wrote {len(catalog)} layers for Keras {catalog.keras_version} to {BUNDLED}")


if __name__ == "__main__":
    main()
