"""The `govwatch` click group and what every command shares: --config, friendly errors, logging.

The commands register on `cli` from their modules (monitor.cli.main, .serving, .backup,
.watchlist); this module imports none of them, so they can all import it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from monitor import masking
from monitor.cli import report
from monitor.errors import ConfigError, GovwatchError, Interrupted, StoreError
from monitor.watchlist.config import Config, load_config

DEFAULT_CONFIG = "watchlist.toml"


def _load(config_path: str) -> Config:
    return load_config(config_path)


def _friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain errors into one line on stderr and an exit status."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except GovwatchError as e:
            click.echo(f"govwatch: {e}", err=True)
            if e.hint:
                click.echo(f"  hint: {e.hint}", err=True)
            sys.exit(130 if isinstance(e, Interrupted) else 2 if isinstance(e, (ConfigError, StoreError)) else 1)

    return wrapper


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(report.OneLineFormatter(with_traceback=verbose >= 2))
    masking.install(handler)  # the channels' secrets, in every logger's lines (urllib3's at -vv too)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Each failed fetch is reported once, by govwatch, per watch; Scrapy's own copies are noise.
    for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper", "scrapy.core.engine"):
        logging.getLogger(name).setLevel(logging.CRITICAL if verbose < 2 else logging.DEBUG)
    if verbose < 2:
        logging.getLogger("scrapy").setLevel(max(level, logging.WARNING))
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # govwatch logs each failed alert itself, with the channel's name; Apprise's own line repeats it.
    # (Not by raising Apprise's level: that would also hide the error from the result govwatch keeps.)
    logging.getLogger("apprise").propagate = verbose > 0


config_option = click.option(
    "--config", "config_path", default=DEFAULT_CONFIG, show_default=True, envvar="GOVWATCH_CONFIG",
    type=click.Path(dir_okay=False), help="The watchlist file (env GOVWATCH_CONFIG).",
)  # fmt: skip


@click.group()
@click.version_option(package_name="govwatch")
@click.option("-v", "--verbose", count=True, help="More logging (-vv: debug, with tracebacks).")
def cli(verbose: int) -> None:
    """Watch petitions and advocacy pages; turn their changes into events, feeds and alerts."""
    _setup_logging(verbose)
