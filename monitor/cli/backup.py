"""`govwatch backup`, `govwatch restore` and `govwatch prune`: the database as one file, and bounded history.

Registered on the `govwatch` click group by monitor.cli (`register`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from monitor.watchlist.config import Config
from monitor.errors import ConfigError, GovwatchError, StoreError
from monitor.run.prune import prune_now


def register(cli: click.Group, config_option: Callable, friendly: Callable, load: Callable[[str], Config]) -> None:
    """Add the backup, restore and prune commands to `cli`."""

    @cli.command()
    @config_option
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @friendly
    def backup(config_path: str, file: Path) -> None:
        """Copy the database to FILE, consistently, even while `govwatch run` writes."""
        from store.backup import backup as copy

        config = load(config_path)
        done = copy(config.settings.database, file)
        click.echo(f"Backed up {config.settings.database} to {done.path}: {done.events} events, "
                   f"{done.bytes / 1024:.0f} KB")  # fmt: skip

    @cli.command()
    @config_option
    @click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
    @friendly
    def restore(config_path: str, file: Path) -> None:
        """Bring back the database from a backup FILE (stop `govwatch run` first)."""
        from monitor.run.lock import MonitorLock
        from store.backup import restore as bring_back

        config = load(config_path)
        database = config.settings.database
        existed = database.exists()
        lock = MonitorLock(database)
        try:  # refused while `govwatch run` monitors it; none starts meanwhile
            lock.acquire()
        except GovwatchError as e:
            raise StoreError(f"{database}: restore refused: {e}", hint=e.hint) from None
        try:
            done = bring_back(file, database)
        finally:
            lock.release()
        click.echo(f"Restored {database} from {file}: {done.events} events")
        if existed:
            click.echo(f"The database as it was before is kept in {database.name}.before-restore")

    @cli.command()
    @config_option
    @friendly
    def prune(config_path: str) -> None:
        """Drop observations and page snapshots older than [govwatch] keep (never events or their diffs)."""
        config = load(config_path)
        if config.settings.keep is None:
            raise ConfigError(f"{config.path}: [govwatch] keep is not set, so govwatch keeps everything",
                              hint='set e.g. keep = "400d" to prune what is older')  # fmt: skip
        click.echo(prune_now(config).line())
