"""``python -m scanrules_client``: the same as ``scanrules-ctl``."""

import sys

from .ctl import main

sys.exit(main())
