"""`python -m netbuilder.screenshots [OUT_DIR]`: regenerate the README's screenshots (see netbuilder.ui.screenshots)."""

import sys

from netbuilder.ui.screenshots import main

if __name__ == "__main__":
    sys.exit(main())
