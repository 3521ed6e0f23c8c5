"""Publishing: render events as RSS/Atom feeds, charts, the dashboard and detail pages, write them
into feeds_dir whole, and serve them (the feed server, Datasette on the history).

May import the basics, alerts, watchlist, detect and store.
"""
