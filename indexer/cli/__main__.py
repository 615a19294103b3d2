"""`python -m indexer.cli`: the command line without the web app's commands."""
import sys

from .commands import main

sys.exit(main())
