"""``python -m counterexamples.search``: the main job."""
import sys

from .cli import main

sys.exit(main(isolate=True))
