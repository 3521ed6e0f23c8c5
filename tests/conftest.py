"""Shared fixtures: the e-petitions replica and a govwatch run in a temporary folder."""

from __future__ import annotations

import pytest

from monitor.replica import EPetitionsReplica
from tests.support.govwatch import Govwatch


@pytest.fixture
def replica():
    """A fresh e-petitions replica on 127.0.0.1 (max-age 0, so every check polls)."""
    with EPetitionsReplica(max_age=0) as site:
        yield site


@pytest.fixture
def gw(tmp_path):
    """A watchlist in a temporary folder, with politeness lifted for 127.0.0.1."""
    return Govwatch(tmp_path)
