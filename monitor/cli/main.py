"""The `govwatch` command: a thin layer over functions a test can call too.

Domain errors (`monitor.errors`) become one readable line and a hint. Exit
statuses: 1 an error, 2 a configuration or database error, 3/4 `check` found
some/every watch failing (monitor/run/check.py), 130 interrupted.
"""

from __future__ import annotations

import json
import sys

import click

from monitor.cli import report
from monitor.cli.ending import end
from monitor.watchlist.config import Config
from monitor.errors import ConfigError
from monitor.cli.group import DEFAULT_CONFIG, _friendly, _load, cli, config_option


@cli.command()
@config_option
@click.option("--only", metavar="WATCH", help="Poll only this watch (its id, petition number or a tag).")
@click.option("--force", is_flag=True, help="Poll even watches whose last answer is still fresh.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line, even on a terminal.")
@_friendly
def check(config_path: str, only: str | None, force: bool, quiet: bool) -> None:
    """Poll every watch once, store what changed, print a summary (exit 3: some watch failed, 4: all did)."""
    config = _load(config_path)
    watches = config.select(only)
    from monitor.run.check import EXIT_INTERRUPTED, check_crawl, exit_status, interrupted_line
    from monitor.run.crawl import run_on_reactor
    from monitor.run.feeds_alongside import FeedsAlongside
    from monitor.run.progress import Progress, planned_polls

    progress = Progress(planned_polls(config, watches), enabled=sys.stderr.isatty() and not quiet)
    with FeedsAlongside(config) as feeds:  # petition feeds are rendered beside the crawl, as events come
        result, interrupted = run_on_reactor(lambda: check_crawl(config, watches, force=force,
                                                                 on_observation=progress.tick))  # fmt: skip
        progress.done()
        if result is not None:
            click.echo(report.check_summary(result, config))
        if interrupted:
            click.echo(interrupted_line(result), err=True)
            sys.exit(EXIT_INTERRUPTED)
        click.echo(feeds.finish().line())
    if config.alerts:
        from monitor.alerts.dispatch import dispatch

        click.echo(dispatch(config).summary())
    sys.exit(exit_status(result))


@cli.command()
@config_option
@click.option("--since", help='Only events detected since: an ISO date/time or an age like "2h", "7d".')
@click.option("--kind", help="Only events of this kind (e.g. response_published).")
@click.option("--watch", "watch_id", help="Only events of this watch.")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one list) instead of a table.")
@_friendly
def events(config_path: str, since: str | None, kind: str | None, watch_id: str | None, limit: int,
           as_json: bool) -> None:  # fmt: skip
    """List detected events, newest first."""
    config = _load(config_path)
    rows = report.list_events(config, since=since, kind=kind, watch=watch_id, limit=limit)
    click.echo(json.dumps(rows, indent=2, ensure_ascii=False) if as_json else report.events_table(rows, since))


@cli.command()
@config_option
@click.argument("petition")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--between", nargs=2, type=int, metavar="A B",
              help="Pages: diff snapshots A and B (numbered from 1; default the last two).")
@click.option("--show", type=int, metavar="N", help="Pages: also print the text of snapshot N.")
@_friendly
def history(config_path: str, petition: str, as_json: bool, between: tuple[int, int] | None,
            show: int | None) -> None:  # fmt: skip
    """Show a petition's curve and changes, or a page's snapshots and diffs (number, id or URL)."""
    from monitor.cli.page_history import find_page, page_history, page_history_text

    config = _load(config_path)
    page = find_page(config, petition)
    if page is not None:
        data = page_history(config, page, between, show)
        click.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else page_history_text(data))
        return
    for name, value in (("--show", show), ("--between", between)):
        if value is not None:
            raise click.UsageError(f"{name} takes a page's snapshots; {petition!r} is not a page of the watchlist")
    data = report.petition_history(config, petition)
    click.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else report.history_text(data))


@cli.command()
@config_option
@_friendly
def watches(config_path: str) -> None:
    """List the watches with their last check and status."""
    config = _load(config_path)
    click.echo(report.watches_table(config))


@cli.command()
@config_option
@_friendly
def feeds(config_path: str) -> None:
    """Rebuild every feed from the database."""
    config = _load(config_path)
    from monitor.publish.feeds_dir import rebuild

    click.echo(rebuild(config).line())


@cli.command()
@config_option
@_friendly
def status(config_path: str) -> None:
    """Show whether `govwatch run` is alive, and each watch's last check and next poll."""
    config = _load(config_path)
    click.echo(report.status_text(config))
    if config.scrapyd is not None:
        from monitor.scrapyd.status import nodes_text

        click.echo("\n" + nodes_text(config))


@cli.command()
def detectors() -> None:
    """List the kinds of events govwatch detects."""
    from monitor.detect.petitions import DETECTORS
    from monitor.detect.pages import PAGE_DETECTORS
    from monitor.detect.health import KINDS as HEALTH_KINDS
    from store.record import SWEEP_KINDS

    for kind, registered in DETECTORS.items():
        click.echo(f"{kind:22} {registered.help}")
    from monitor.detect.eta import KINDS as ETA_KINDS

    for kind, text in {**ETA_KINDS, **SWEEP_KINDS}.items():
        click.echo(f"{kind:22} {text}")
    click.echo("\nPages:")
    for kind, registered in PAGE_DETECTORS.items():
        click.echo(f"{kind:22} {registered.help}")
    click.echo("\nEvery watch (alerts get these only when they name them):")
    for kind, text in HEALTH_KINDS.items():
        click.echo(f"{kind:22} {text}")


@cli.group(invoke_without_command=True)
@config_option
@click.pass_context
@_friendly
def alerts(ctx: click.Context, config_path: str) -> None:
    """List alert channels, pending and failed deliveries."""
    ctx.obj = config_path
    if ctx.invoked_subcommand is None:
        from monitor.alerts.dispatch import outbox_text

        click.echo(outbox_text(_load(config_path)))


def _alerts_config(ctx: click.Context, config_path: str | None) -> Config:
    return _load(config_path or ctx.obj or DEFAULT_CONFIG)


@alerts.command("send")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="The watchlist file.")
@click.option("--name", help="Only this channel.")
@click.option("--now", "now_text", metavar="TIME",
              help="Act as if it were this UTC time (ISO-8601): to close a digest period early, or test retries.")
@click.pass_context
@_friendly
def alerts_send(ctx: click.Context, config_path: str | None, name: str | None, now_text: str | None) -> None:
    """Send the alerts that are due now (check does it too)."""
    from monitor.alerts.dispatch import dispatch
    from monitor.clock import parse_iso

    config = _alerts_config(ctx, config_path)
    try:
        now = parse_iso(now_text) if now_text else None
    except ValueError:
        raise click.BadParameter(f"expected an ISO-8601 time such as 2026-01-31T18:00:00Z, got {now_text!r}",
                                 param_hint="--now") from None  # fmt: skip
    click.echo(dispatch(config, now=now, only=name, what_if=now is not None).summary())


@alerts.command("test")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="The watchlist file.")
@click.option("--name", help="Only this channel.")
@click.pass_context
@_friendly
def alerts_test(ctx: click.Context, config_path: str | None, name: str | None) -> None:
    """Send a test message to each channel; print each result."""
    from monitor.alerts.dispatch import send_test

    config = _alerts_config(ctx, config_path)
    if not config.alerts:
        raise ConfigError(f"{config.path}: no [[alert]] channels to test", hint="see README, Alerts")
    results = send_test(config, name)
    for channel, outcome in results:
        click.echo(f"{channel.name}: " + ("sent" if outcome.ok else f"FAILED: {outcome.error}"))
    if not all(outcome.ok for _, outcome in results):
        sys.exit(1)


from monitor.cli import backup as cli_backup  # noqa: E402 (its commands are added to the group defined above)

cli_backup.register(cli, config_option, _friendly, _load)

from monitor.cli.watchlist import register as _register_watchlist  # noqa: E402  (after the group exists)

_register_watchlist(cli, _friendly, config_option)


def main() -> None:
    """Run the govwatch command line, and end without tearing the interpreter down (monitor.cli.ending)."""
    try:
        cli(prog_name="govwatch")
    except SystemExit as stop:
        end(stop.code)
    end(0)


# The commands defined in their own modules register themselves on `cli` when imported.
from monitor.cli import serving as cli_serving  # noqa: E402,F401  (after `cli` exists)
