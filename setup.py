"""For scrapyd-deploy, which builds its egg with ``python setup.py bdist_egg``: pyproject.toml says the rest."""

from setuptools import setup

setup()
