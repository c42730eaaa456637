"""`python -m statuspress`."""

from .cli import run

run()
