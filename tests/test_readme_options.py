"""The README documents every command and option: walk `govwatch --help` and each command's `--help`.

The README's "Command reference" has a `### \\`govwatch COMMAND\\`` section per command
(subcommands too: `govwatch alerts send`). Each option the help prints must appear in
backticks in its command's section, and each option a section names must exist, so a
command added later, or an option removed, fails here until the README says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from monitor.cli.main import cli

README = Path(__file__).resolve().parents[1] / "README.md"
HEADING = re.compile(r"^### `(govwatch(?: [a-z-]+)*)`\s*$")


def help_text(words: list[str]) -> str:
    """Return what `govwatch WORDS --help` prints."""
    result = CliRunner().invoke(cli, [*words, "--help"], prog_name="govwatch")
    assert result.exit_code == 0, result.output
    return result.output


def section(text: str, title: str) -> list[str]:
    """Return the lines under a help section ("Options:", "Commands:")."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.strip() == title:
            inside = True
        elif inside and line and not line.startswith(" "):
            break
        elif inside and line.strip():
            lines.append(line)
    return lines


def options_of(text: str) -> set[str]:
    """Return the option flags of a help text (without --help)."""
    flags = set()
    for line in section(text, "Options:"):
        if line.startswith("  -"):  # "  --serve / --no-serve  Also serve…", "  -v, --verbose  More…"
            signature = re.split(r"\s{2,}", line.strip())[0]
            flags |= set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", signature))
    return flags - {"--help"}


def commands() -> dict[str, set[str]]:
    """Walk the help: every command path ("govwatch", "govwatch alerts send") and its options."""
    found, queue = {}, [[]]
    while queue:
        words = queue.pop()
        text = help_text(words)
        found[" ".join(["govwatch", *words])] = options_of(text)
        for line in section(text, "Commands:"):
            if re.match(r"^  \S", line):
                queue.append([*words, line.split()[0]])
    return found


def readme_sections() -> dict[str, str]:
    """Return the README's command reference: heading "govwatch X" → the text under it."""
    text = README.read_text(encoding="utf-8")
    reference = text.split("## Command reference", 1)[1].split("\n## ", 1)[0]
    sections, current = {}, None
    for line in reference.splitlines():
        match = HEADING.match(line)
        if match:
            current = match.group(1)
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return sections


def documented_flags(text: str) -> set[str]:
    """Return the flags written in backticks (`--port`, `--between A B`, `-v`)."""
    return {flag for span in re.findall(r"`([^`]+)`", text)
            for flag in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", span)}  # fmt: skip


def test_the_help_walk_finds_every_command():
    found = commands()
    assert {"govwatch", "govwatch check", "govwatch run", "govwatch alerts send"} <= set(found)
    assert {"--only", "--force", "--config"} <= found["govwatch check"]
    assert {"--serve", "--no-serve", "--tick"} <= found["govwatch run"]


def test_every_command_and_option_is_in_the_readme_and_nothing_more():
    sections = readme_sections()
    missing, unknown = [], []
    for command, flags in sorted(commands().items()):
        if command not in sections:
            missing.append(f"{command}: no ### `{command}` section in the README's command reference")
            continue
        written = documented_flags(sections[command])
        missing += [f"{command} {flag}" for flag in sorted(flags - written)]
        unknown += [f"{command} {flag}" for flag in sorted(written - flags)]
    assert not missing, "undocumented in README.md: " + "; ".join(missing)
    assert not unknown, "documented in README.md but not in --help: " + "; ".join(unknown)
