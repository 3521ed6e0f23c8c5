"""The commands that serve and monitor: `serve`, `datasette`, `run` and `demo` (registered on `govwatch`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from monitor.cli import report
from monitor.cli.group import _friendly, _load, cli, config_option


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
    from monitor.publish.serve import build_services, serve_until_stopped

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
    from monitor.publish import datasette as history

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
    from monitor.run.crawl import run_on_reactor
    from monitor.run.scheduler import standard_monitor
    from monitor.watchlist.validation import parse_duration

    config = _load(config_path)
    try:
        tick_seconds = parse_duration(tick)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--tick") from None
    from monitor.publish.serve import build_services, running

    monitor = standard_monitor(config_path, tick=tick_seconds, keep_going=keep_going, config=config)
    monitor.claim()  # before serving anything: a second monitor on this database stops here, naming the first
    services = []
    if serve_too:
        services = build_services(config, host=host, port=port,
                                  datasette_port=None if no_datasette else datasette_port)  # fmt: skip
    with running(services, click.echo):
        click.echo(f"govwatch run: watching {report.plural(len(config.watches), 'watch')} from {config.path}"
                   " (Ctrl-C stops)")
        run_on_reactor(monitor.run)
    if monitor.unreachable:
        for watch_id, error in monitor.unreachable:
            click.echo(f"govwatch: {watch_id}: {report.plain(error)}", err=True)
        click.echo("govwatch run: no watch answered the first pass (no network?), so it stops here;"
                   " --keep-going keeps trying", err=True)  # fmt: skip
        sys.exit(1)


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
    from monitor.cli import scenario
    from monitor.cli.demo import DemoOptions, run_demo
    from monitor.watchlist.validation import parse_duration

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
    if not result.finished:
        arrived = len(scenario.EXPECTED) - len(result.missing)
        click.echo(f"govwatch demo: the story was cut short (Ctrl-C): {arrived} of its {len(scenario.EXPECTED)}"
                   " scripted events arrived; run the demo again to see it all", err=True)  # fmt: skip
        sys.exit(130)
    if result.finished and result.missing:
        click.echo("govwatch demo: these scripted events did not arrive: "
                   + ", ".join(f"{e.kind} ({e.watch})" for e in result.missing), err=True)  # fmt: skip
        sys.exit(1)
