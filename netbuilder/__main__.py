"""`python -m netbuilder` is the `netbuilder` command."""

import sys

from netbuilder.cli import main

sys.exit(main())
