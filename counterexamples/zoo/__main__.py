import sys

from .cli import main

sys.exit(main(isolate=True))  # a supervising process: Ctrl-C ends it within a second, whatever runs
