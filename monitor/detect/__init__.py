"""Detection: pure functions that turn two states of a petition or a page into events
(the detector registry), with response deadlines, signature ETAs, watch health, page noise and bounded diffs.

May import the basics and monitor.watchlist (the watch types); store calls it, never the reverse.
"""
