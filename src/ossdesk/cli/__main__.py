"""`python -m ossdesk.cli`: how `ossdesk serve` starts its worker, and how the tests run the command."""

import sys

from ossdesk.cli import main

sys.exit(main())
