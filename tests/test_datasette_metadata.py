"""The Datasette metadata shipped in the package matches the schema it describes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from store import datasette as shipped
from store.db import open_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict[str, list[str]]:
    """Every table and view of a fresh history (search indexes aside), with its columns."""
    db = open_db(tmp_path_factory.mktemp("schema") / "govwatch.db")
    hidden = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")}
    names = [n for n in db.table_names() + db.view_names()
             if n not in hidden and not any(n.startswith(f"{v}_") for v in hidden)]  # fmt: skip
    return {n: [c.name for c in (db[n] if n in db.table_names() else db.view(n)).columns] for n in names}


@pytest.fixture(scope="module")
def tables() -> dict:
    return yaml.safe_load(shipped.METADATA.read_text())["databases"][shipped.DATABASE_NAME]["tables"]


def test_every_table_and_column_has_a_description(schema, tables):
    missing = [name for name in schema if not (tables.get(name) or {}).get("description")]
    assert missing == [], f"tables or views without a description in {shipped.METADATA.name}: {missing}"
    undescribed = [f"{name}.{column}" for name, columns in schema.items() for column in columns
                   if not (tables[name].get("columns") or {}).get(column)]  # fmt: skip
    assert undescribed == [], f"columns without a description: {undescribed}"


def test_metadata_names_only_columns_that_exist(schema, tables):
    stale = []
    for name, table in tables.items():
        if name not in schema:
            stale.append(name)
            continue
        named = [*table.get("columns", {}), *table.get("facets", []), *table.get("units", {}),
                 *[table[k] for k in ("label_column", "sort_desc", "sort") if k in table]]  # fmt: skip
        stale += [f"{name}.{column}" for column in named if column not in schema[name]]
    assert stale == []


def test_the_top_level_says_title_source_and_licence():
    metadata = yaml.safe_load(shipped.METADATA.read_text())
    assert metadata["title"] and metadata["description"]
    assert metadata["license"] == "Open Parliament Licence v3.0" and "open-parliament-licence" in metadata["license_url"]
    assert metadata["source_url"] == "https://petition.parliament.uk/"


def test_the_metadata_and_the_plugin_ship_in_the_package():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["store.datasette"]
    shipped_files = {p for pattern in patterns for p in shipped.HERE.glob(pattern)}
    plugins = {shipped.PLUGINS_DIR / "govwatch_history.py", shipped.PLUGINS_DIR / "govwatch_chart.py"}
    assert {shipped.METADATA, *plugins} <= shipped_files
    # --plugins-dir loads every .py file there: nothing but plugins may live in it
    assert sorted(p.name for p in shipped.PLUGINS_DIR.glob("*.py")) == ["govwatch_chart.py", "govwatch_history.py"]


def test_readme_lists_every_canned_query_and_the_chart_link():
    readme = (ROOT / "README.md").read_text()
    queries = yaml.safe_load(shipped.METADATA.read_text())["databases"][shipped.DATABASE_NAME]["queries"]
    assert [name for name in queries if f"| `{name}` |" not in readme] == []
    assert f"response_times#{queries['response_times']['fragment']}" in readme
    assert "/govwatch/signature_curve.svg?petition=221342" in readme  # the chart is a link too
