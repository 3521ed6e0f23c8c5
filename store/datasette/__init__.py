"""What Datasette needs to show the govwatch history: metadata and a read-only plugin.

`metadata.yml` describes every table, view and column and holds the canned
queries; `plugins/` is passed to ``datasette --plugins-dir`` and keeps every
connection to the history read-only. `monitor.publish.datasette` builds the command.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
METADATA = HERE / "metadata.yml"
PLUGINS_DIR = HERE / "plugins"
# The name the metadata files the history under; the plugin maps it to the served file's name.
DATABASE_NAME = "govwatch"
