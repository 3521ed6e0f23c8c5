"""Scrapy settings of govwatch (the module `scrapy.cfg` names) and their per-watchlist form.

The module-level names are what ``scrapy crawl petitions`` uses; govwatch's
own commands call `crawl_settings(config)`, which adds the watchlist's
politeness rules (per-host concurrency and delay, User-Agent contact) and the
database the pipeline writes to.
"""

from __future__ import annotations

from typing import Any

from monitor.watchlist.config import Config

VERSION = "0.1.0"

BOT_NAME = "govwatch"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
ROBOTSTXT_OBEY = True
USER_AGENT = f"govwatch/{VERSION} (petition monitor; contact not configured)"
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19 would open a control port: nothing for us to expose
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# A callback yields one Observation (two with a next page): Scrapy's default of 100 parallel
# item workers per response only costs 100 asyncio tasks per fetch.
CONCURRENT_ITEMS = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Components govwatch never uses are left out of Scrapy's base lists, so each `govwatch check`
# process neither imports nor builds them (aiohttp for the remote control, tldextract for cookies:
# about a fifth of its start-up). Setting them to None in EXTENSIONS would not do: Scrapy imports
# every listed class before it drops the disabled ones. Proxies from the environment still work.
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.memusage.MemoryUsage": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
    "scrapy.extensions.feedexport.FeedExporter": 0,  # `scrapy crawl petitions -O file.jsonl` works
    "scrapy.extensions.logstats.LogStats": 0,
}
EXTENSIONS = {
    "monitor.watchlist.politeness.PoliteAutoThrottle": 0,
}
RETRY_ENABLED = True
RETRY_TIMES = 2
# Scrapy's base list without what govwatch replaces (robots.txt, retries: politeness.py) or never
# uses (cookies, HTTP auth, Scrapy's HTTP cache: conditional GETs are govwatch's own).
DOWNLOADER_MIDDLEWARES_BASE = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": 50,
    "scrapy.downloadermiddlewares.downloadtimeout.DownloadTimeoutMiddleware": 350,
    "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware": 400,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": 500,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": 750,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": 850,
}
DOWNLOADER_MIDDLEWARES = {
    "monitor.watchlist.politeness.CachedRobotsTxt": 100,
    "monitor.watchlist.politeness.PoliteRetryMiddleware": 550,
    "spiders.links.OnlyWebLinks": 50,  # before robots.txt: a refused URL costs no request at all
}
# A watched site is untrusted: only http(s) is ever fetched, whatever it links or redirects to.
DOWNLOADER = "monitor.watchlist.politeness.PoliteDownloader"  # a host's concurrency holds with no delay too
DOWNLOAD_HANDLERS = {
    "http": "monitor.watchlist.politeness.PoliteHTTPHandler",
    "https": "monitor.watchlist.politeness.PoliteHTTPHandler",
    "file": None,
    "data": None,
    "ftp": None,
    "s3": None,
}
ITEM_PIPELINES = {"store.pipeline.StorePipeline": 300}
# The watchlist the pipeline records against: a path, or a Config object from govwatch.
GOVWATCH_CONFIG = "watchlist.toml"
LOG_LEVEL = "INFO"


def user_agent(contact: str | None) -> str:
    """Return the User-Agent naming govwatch and, when configured, a contact."""
    if contact:
        return f"govwatch/{VERSION} (petition monitor; +{contact})"
    return USER_AGENT


def crawl_settings(config: Config) -> dict[str, Any]:
    """Return the Scrapy settings for one crawl of this watchlist."""
    polite = config.polite
    names = {k: v for k, v in globals().items() if k.isupper()}
    hosts = {
        host: {"concurrency": rules.concurrency, "delay": rules.delay, "jitter": 0.5 if rules.delay else 0.0}
        for host, rules in config.hosts.items()
    }
    concurrency = max([polite.concurrency, *(r.concurrency for r in config.hosts.values())])
    return names | {
        "USER_AGENT": user_agent(config.settings.contact),
        "CONCURRENT_REQUESTS": max(16, concurrency),
        "GOVWATCH_MAX_HOST_CONCURRENCY": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": polite.concurrency,
        "DOWNLOAD_DELAY": polite.delay,
        "DOWNLOAD_SLOTS": hosts,
        "AUTOTHROTTLE_ENABLED": polite.autothrottle or any(r.autothrottle for r in config.hosts.values()),
        "AUTOTHROTTLE_START_DELAY": max(polite.delay, 0.1),
        "GOVWATCH_AUTOTHROTTLE_OFF": [h for h, r in config.hosts.items() if not r.autothrottle],
        "DOWNLOAD_TIMEOUT": polite.timeout,
        "DOWNLOAD_MAXSIZE": polite.max_size,
        "RETRY_TIMES": polite.retries,
        "ROBOTSTXT_OBEY": polite.robots_txt or any(r.robots_txt for r in config.hosts.values()),
        "GOVWATCH_CONFIG": config,
    }


def job_settings(config: Config) -> dict[str, Any]:
    """Return the settings of a Scrapyd job: the job's politeness, no database (items leave as a feed)."""
    settings = crawl_settings(config)
    del settings["GOVWATCH_CONFIG"]  # a Config object: the spider has it, and settings must stay plain here
    return settings | {"ITEM_PIPELINES": {}, "LOG_LEVEL": "INFO",
                       "FEED_EXPORTERS": {"jsonlines": "monitor.scrapyd.job.ObservationExporter"}}
