"""Alerts: the [[alert]] channels, events turned into messages, sending through Apprise, and
dispatching the outbox (retries with backoff, digests, deadlines).

May import the basics and store (the outbox). It sits below the watchlist, which names its
channels: the watchlist's types are imported for type hints only, the detectors' kinds inside a function.
"""
