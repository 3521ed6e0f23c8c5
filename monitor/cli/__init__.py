"""The govwatch command line: the click group and its commands, what they print (report, page
history), `add`/`remove` editing the watchlist file, and the demo that plays a story on the replicas.

May import every stage; nothing imports it. `main` is the console script; `python -m monitor.cli` runs it.
"""

from monitor.cli.main import main

__all__ = ["main"]
