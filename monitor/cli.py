"""The `govwatch` command: a thin layer over functions a test can call too.

Domain errors (`monitor.errors`) become one readable line and a hint; only
configuration errors make the exit status non-zero.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from monitor import report
from monitor.config import Config, load_config
from monitor.errors import ConfigError, GovwatchError, StoreError

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
            sys.exit(2 if isinstance(e, (ConfigError, StoreError)) else 1)

    return wrapper


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(report.OneLineFormatter(with_traceback=verbose >= 2))
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


@cli.command()
@config_option
@click.option("--only", metavar="WATCH", help="Poll only this watch (its id, petition number or a tag).")
@click.option("--force", is_flag=True, help="Poll even watches whose last answer is still fresh.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line, even on a terminal.")
@_friendly
def check(config_path: str, only: str | None, force: bool, quiet: bool) -> None:
    """Poll every watch once, store what changed, print a summary."""
    config = _load(config_path)
    watches = config.select(only)
    from monitor.crawl import crawl, run_on_reactor
    from monitor.progress import Progress, planned_polls

    progress = Progress(planned_polls(config, watches), enabled=sys.stderr.isatty() and not quiet)
    result = run_on_reactor(lambda: crawl(config, watches, force=force, on_observation=progress.tick))
    progress.done()
    click.echo(report.check_summary(result, config))
    from monitor.publish import update_feeds

    click.echo(update_feeds(config).line())
    if config.alerts:
        from monitor.alerts import dispatch

        click.echo(dispatch(config).summary())


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
    click.echo(json.dumps(rows, indent=2, ensure_ascii=False) if as_json else report.events_table(rows))


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
    from monitor.page_history import find_page, page_history, page_history_text

    config = _load(config_path)
    page = find_page(config, petition)
    if page is not None:
        data = page_history(config, page, between, show)
        click.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else page_history_text(data))
        return
    if show is not None:
        raise click.UsageError(f"--show takes a page's snapshot; {petition!r} is not a page of the watchlist")
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
    from monitor.publish import rebuild

    click.echo(rebuild(config).line())


def _serving_options(command: Callable) -> Callable:
    """Add the options that place the feeds and Datasette (serve, run and demo share them)."""
    options = [
        click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
                     help="Port of the feeds (0: any free port)."),
        click.option("--datasette-port", type=click.IntRange(0, 65535), default=8001, show_default=True,
                     help="Port of the read-only Datasette on the history, beside the feeds (0: any free port)."),
        click.option("--no-datasette", is_flag=True, help="Serve the feeds only."),
    ]  # fmt: skip
    for option in reversed(options):  # as if written one above the other
        command = option(command)
    return command


@cli.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@_serving_options
@_friendly
def serve(config_path: str, host: str, port: int, datasette_port: int, no_datasette: bool) -> None:
    """Serve the feeds, and the history in Datasette, over HTTP until Ctrl-C."""
    config = _load(config_path)
    from monitor.serve import build_services, serve_until_stopped

    feeds_dir = config.settings.feeds_dir
    if not (feeds_dir / "index.html").exists():
        click.echo(f"govwatch: no feeds yet in {feeds_dir}", err=True)
        click.echo("  hint: run `govwatch check` (or `govwatch feeds`) to write them", err=True)
    if port and config.settings.feeds_url != f"http://{host}:{port}/":
        click.echo(f"note: the feeds' self links point to {config.settings.feeds_url} ([govwatch] feeds_url)")
    services = build_services(config, host=host, port=port, datasette_port=None if no_datasette else datasette_port)
    serve_until_stopped(services, announce=click.echo)


@cli.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address Datasette listens on.")
@click.option("--port", type=int, default=8001, show_default=True, help="The port Datasette listens on.")
@_friendly
def datasette(config_path: str, host: str, port: int) -> None:
    """Print the `datasette` command that serves the history read-only (run it yourself)."""
    from monitor import datasette as history

    config = _load(config_path)
    click.echo(history.command_text(config, history.DatasetteOptions(host=host, port=port)))
    for plugin in history.unexpected_plugins():
        click.echo(f"govwatch: warning: Datasette plugin {plugin!r} is installed here and may write;"
                   " govwatch's plugin keeps the history read-only anyway", err=True)  # fmt: skip


@cli.command()
@config_option
@click.option("--tick", default="5s", show_default=True,
              help="How often to look for watches that are due (sooner for one whose interval is under ten ticks).")
@click.option("--serve/--no-serve", "serve_too", default=True, show_default=True,
              help="Also serve the feeds and Datasette, as `govwatch serve` does.")  # fmt: skip
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the feeds (and Datasette) listen on.")
@_serving_options
@click.option("--keep-going", is_flag=True,
              help="Keep polling even when no watch answers the first pass (default: stop, e.g. no network).")
@_friendly
def run(config_path: str, tick: str, serve_too: bool, host: str, port: int, datasette_port: int,
        no_datasette: bool, keep_going: bool) -> None:  # fmt: skip
    """Poll every watch when it is due, for ever: feeds and alerts stay current (Ctrl-C stops)."""
    from monitor.crawl import run_on_reactor
    from monitor.scheduler import standard_monitor
    from monitor.validation import parse_duration

    config = _load(config_path)
    try:
        tick_seconds = parse_duration(tick)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--tick") from None
    from monitor.serve import build_services, running

    monitor = standard_monitor(config_path, tick=tick_seconds, keep_going=keep_going, config=config)
    services = []
    if serve_too:
        services = build_services(config, host=host, port=port,
                                  datasette_port=None if no_datasette else datasette_port)  # fmt: skip
    with running(services, click.echo):
        click.echo(f"govwatch run: watching {len(config.watches)} watches from {config.path} (Ctrl-C stops)")
        run_on_reactor(monitor.run)
    if monitor.unreachable:
        for watch_id, error in monitor.unreachable:
            click.echo(f"govwatch: {watch_id}: {report.plain(error)}", err=True)
        click.echo("govwatch run: no watch answered the first pass (no network?), so it stops here;"
                   " --keep-going keeps trying", err=True)  # fmt: skip
        sys.exit(1)


@cli.command()
@config_option
@_friendly
def status(config_path: str) -> None:
    """Show whether `govwatch run` is alive, and each watch's last check and next poll."""
    click.echo(report.status_text(_load(config_path)))


@cli.command()
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the demo's watchlist, database and feeds (default: a new temporary folder).")
@click.option("--duration", default="60s", show_default=True, help='How long the story takes: "90s", "2m" or seconds (at least 10).')
@_serving_options
@click.option("--keep-serving", is_flag=True, help="Go on polling and serving after the story, until Ctrl-C.")
@_friendly
def demo(folder: Path | None, duration: str, port: int, datasette_port: int, no_datasette: bool,
         keep_serving: bool) -> None:  # fmt: skip
    """Watch replicas of the sites for a minute, offline: a petition passes 10,000, the government responds..."""
    from monitor import scenario
    from monitor.demo import DemoOptions, run_demo
    from monitor.validation import parse_duration

    try:
        seconds = parse_duration(float(duration) if duration.replace(".", "", 1).isdigit() else duration)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--duration") from None
    if seconds < 10:
        raise click.BadParameter(f"the story needs at least 10s, got {duration!r}", param_hint="--duration")
    options = DemoOptions(folder=folder, duration=seconds, port=port,
                          datasette_port=None if no_datasette else datasette_port, keep_serving=keep_serving)  # fmt: skip
    result = run_demo(options, say=click.echo)
    click.echo(f"\n{len(result.events)} events stored. The demo's files stay in {result.folder}; try")
    config = result.folder / "watchlist.toml"
    me = sys.argv[0] if Path(sys.argv[0]).name == "govwatch" else "govwatch"  # e.g. .venv/bin/govwatch
    for command in ("events", "status", f"history {scenario.NUMBER}", "serve"):
        click.echo(f"  {me} {command} --config {config}")
    if result.finished and result.missing:
        click.echo("govwatch demo: these scripted events did not arrive: "
                   + ", ".join(f"{e.kind} ({e.watch})" for e in result.missing), err=True)  # fmt: skip
        sys.exit(1)


@cli.command()
def detectors() -> None:
    """List the kinds of events govwatch detects."""
    from monitor.detect import DETECTORS
    from monitor.detect_pages import PAGE_DETECTORS
    from monitor.health import KINDS as HEALTH_KINDS
    from store.record import SWEEP_KINDS

    for kind, registered in DETECTORS.items():
        click.echo(f"{kind:22} {registered.help}")
    for kind, text in SWEEP_KINDS.items():
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
        from monitor.alerts import outbox_text

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
    from monitor.alerts import dispatch
    from monitor.clock import parse_iso

    config = _alerts_config(ctx, config_path)
    try:
        now = parse_iso(now_text) if now_text else None
    except ValueError:
        raise click.BadParameter(f"expected an ISO-8601 time such as 2026-01-31T18:00:00Z, got {now_text!r}",
                                 param_hint="--now") from None  # fmt: skip
    click.echo(dispatch(config, now=now, only=name).summary())


@alerts.command("test")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="The watchlist file.")
@click.option("--name", help="Only this channel.")
@click.pass_context
@_friendly
def alerts_test(ctx: click.Context, config_path: str | None, name: str | None) -> None:
    """Send a test message to each channel; print each result."""
    from monitor.alerts import send_test

    config = _alerts_config(ctx, config_path)
    if not config.alerts:
        raise ConfigError(f"{config.path}: no [[alert]] channels to test", hint="see README, Alerts")
    results = send_test(config, name)
    for channel, outcome in results:
        click.echo(f"{channel.name}: " + ("sent" if outcome.ok else f"FAILED: {outcome.error}"))
    if not all(outcome.ok for _, outcome in results):
        sys.exit(1)


from monitor.cli_watchlist import register as _register_watchlist  # noqa: E402  (after the group exists)

_register_watchlist(cli, _friendly, config_option)


def main() -> None:
    """Run the govwatch command line."""
    cli(prog_name="govwatch")


if __name__ == "__main__":
    main()
