"""The watchlist: load and validate the TOML file before any network traffic (watch kinds,
[[alert]] channels, the [scrapyd] table, per-host politeness and the Scrapy middlewares that apply it).

May import the basics and monitor.alerts (the channels it names); not store, spiders or the stages above.
"""
