"""Deterministic signature breakdowns: a petition's count split by country, constituency, region.

The split is seeded by the petition number, so the same petition with the same
count always gives the same lists, and the parts always add up to the count.
Places with no signature are left out, as on the real site; a popular petition
lists all 650 constituencies and every country.
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

from monitor.replica.places import CONSTITUENCIES, COUNTRIES, REGIONS

# Share of signatures from the United Kingdom (the rest is spread over other countries).
UK_SHARE = 0.93


@lru_cache(maxsize=2048)
def _country_weights(number: int) -> tuple[float, ...]:
    rng = random.Random(f"country-{number}")
    # A cubed uniform draw gives a long tail: a few countries sign a lot, most a little.
    abroad = [0.02 + rng.random() ** 3 for _ in COUNTRIES[1:]]
    scale = (1 - UK_SHARE) / sum(abroad)
    return (UK_SHARE, *(weight * scale for weight in abroad))


@lru_cache(maxsize=2048)
def _constituency_weights(number: int) -> tuple[float, ...]:
    rng = random.Random(f"constituency-{number}")
    # Petitions are signed unevenly, but every seat gets some: the floor keeps it so.
    return tuple(0.35 + rng.random() for _ in CONSTITUENCIES)


def apportion(total: int, weights: tuple[float, ...]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder)."""
    whole = sum(weights)
    quotas = [total * weight / whole for weight in weights]
    parts = [int(quota) for quota in quotas]
    left = total - sum(parts)
    # Ties go to the earlier place, which keeps the split deterministic.
    order = sorted(range(len(quotas)), key=lambda i: (parts[i] - quotas[i], i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def by_country(number: int, signature_count: int) -> list[dict[str, Any]]:
    """Return the `signatures_by_country` list of a petition."""
    parts = apportion(max(signature_count, 0), _country_weights(number))
    return [
        {"name": name, "code": code, "signature_count": count}
        for (code, name), count in zip(COUNTRIES, parts)
        if count
    ]


def _constituency_parts(number: int, signature_count: int) -> list[int]:
    return apportion(max(signature_count, 0), _constituency_weights(number))


def by_constituency(number: int, signature_count: int) -> list[dict[str, Any]]:
    """Return the `signatures_by_constituency` list of a petition."""
    parts = _constituency_parts(number, signature_count)
    return [
        {"name": seat.name, "ons_code": seat.ons_code, "mp": seat.mp, "signature_count": count}
        for seat, count in zip(CONSTITUENCIES, parts)
        if count
    ]


def by_region(number: int, signature_count: int) -> list[dict[str, Any]]:
    """Return the `signatures_by_region` list: the sums of the region's constituencies."""
    totals = [0] * len(REGIONS)
    for seat, count in zip(CONSTITUENCIES, _constituency_parts(number, signature_count)):
        totals[seat.region] += count
    return [
        {"name": name, "ons_code": code, "signature_count": count}
        for (name, code), count in zip(REGIONS, totals)
        if count
    ]


def breakdowns(number: int, signature_count: int) -> dict[str, list[dict[str, Any]]]:
    """Return the three breakdown lists of a petition's detail document, by attribute name."""
    return {
        "signatures_by_country": by_country(number, signature_count),
        "signatures_by_constituency": by_constituency(number, signature_count),
        "signatures_by_region": by_region(number, signature_count),
    }
