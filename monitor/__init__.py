"""govwatch's monitor: it decides and tells (the spiders fetch and parse, the store persists).

Its folders are the pipeline: watchlist/ (what to watch) -> run/ (plan, schedule, crawl; scrapyd/
on Scrapyd nodes) -> detect/ (changes become events) -> publish/ (feeds, pages) and alerts/
(messages), with cli/ on top and replica/ (the sites' stand-ins) on the side. The modules here
are the shared basics (items, clock, errors, jsonable, registry, masking, page and petition
states): they import nothing above them. README.md, "Layout", gives the import directions.
"""
