"""Crawling on Scrapyd nodes: split a crawl's polls into jobs, deploy the egg, poll the nodes,
and record what their jobs found.

May import the basics, watchlist, detect, publish, alerts, run and store.
"""
