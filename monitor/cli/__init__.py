"""The govwatch command line."""

from monitor.cli.main import main

__all__ = ["main"]
