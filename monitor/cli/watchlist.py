"""The `govwatch add` and `govwatch remove` commands, registered on the `govwatch` group by `register`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def register(group: click.Group, friendly: Callable[..., Any], config_option: Callable[..., Any]) -> None:
    """Add `add` and `remove` to the command group (with the CLI's error handling and --config)."""

    @group.command()
    @config_option
    @click.argument("url")
    @click.option("--tag", "tags", multiple=True, metavar="T", help="A tag for the watch (repeat for several).")
    @click.option("--name", metavar="N", help="The watch's name (default: derived from the URL).")
    @click.option("--interval", metavar="I", help='How often to poll it, e.g. "10m" (default: [govwatch] interval).')
    @click.option("-q", "--quiet", is_flag=True, help="No progress line, even on a terminal.")
    @friendly
    def add(config_path: str, url: str, tags: tuple[str, ...], name: str | None, interval: str | None,
            quiet: bool) -> None:  # fmt: skip
        """Watch a URL: a petition, an index or search of petitions (a sweep), or any page; checked once first."""
        from monitor.run.crawl import run_on_reactor
        from monitor.run.progress import Progress, planned_polls
        from monitor.cli.watchlist_edit import add_watch, entry_for, prepare_add

        path = Path(config_path)
        entry = entry_for(url, tags=tags, name=name, interval=interval)
        candidate = prepare_add(path, entry)  # refuse what needs no poll to refuse, before starting Scrapy
        progress = Progress(planned_polls(candidate.new, (candidate.watch,)), enabled=sys.stderr.isatty() and not quiet)
        added = run_on_reactor(lambda: add_watch(candidate, progress.tick))
        progress.done()
        click.echo(f"Added [[{entry.kind}]] {added.watch.id!r} to {path} (first poll: {added.outcome}, "
                   f"{added.events} events)")  # fmt: skip
        from monitor.watchlist.config import load_config
        from monitor.publish.feeds_dir import update_feeds

        click.echo(update_feeds(load_config(path)).line())  # the feeds and the dashboard show it at once

    @group.command()
    @config_option
    @click.argument("name")
    @friendly
    def remove(config_path: str, name: str) -> None:
        """Stop watching NAME: take its entry out of the watchlist (its history stays in the database)."""
        from monitor.cli.watchlist_edit import remove_watch

        watch = remove_watch(Path(config_path), name)
        click.echo(f"Removed {watch.id!r} ({watch.entry}) from {config_path}")
