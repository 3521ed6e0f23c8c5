"""Running the watches: plan which to poll and how, schedule them, crawl with Scrapy, report,
and the long-running `govwatch run` loop (one lock per database) that publishes and alerts after each crawl.

May import the basics, watchlist, detect, publish, alerts and store; spiders and monitor.scrapyd
only inside functions (a crawl hands over to them).
"""
