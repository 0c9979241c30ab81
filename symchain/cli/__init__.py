"""The command line: `symchain` and its commands (see app.py for the group)."""

from .app import main

__all__ = ["main"]
