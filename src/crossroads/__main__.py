"""``python -m crossroads`` runs the command line."""

import sys

from crossroads.cli import main

sys.exit(main())
