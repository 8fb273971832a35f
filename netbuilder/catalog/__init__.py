"""Which Keras layers netbuilder offers, with their settings, defaults, ports and help.

Derived from `keras.layers` itself (see `introspect`) plus a small table of
`overrides`; `load_catalog()` serves it from bundled JSON without importing
Keras whenever the installed Keras version matches.
"""

from netbuilder.catalog.cache import load_catalog
from netbuilder.catalog.catalog import Catalog
from netbuilder.catalog.config_check import check_config
from netbuilder.catalog.introspect import build_catalog
from netbuilder.catalog.spec import LayerSpec, ParamSpec

__all__ = ["Catalog", "LayerSpec", "ParamSpec", "build_catalog", "check_config", "load_catalog"]
