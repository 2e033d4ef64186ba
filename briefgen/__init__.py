"""briefgen: cited Arabic policy briefs from news articles and an outline."""

__version__ = "0.1.0"
