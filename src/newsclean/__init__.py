"""newsclean: turn messy scraped Chinese news files into clean, deduplicated JSONL."""

__version__ = "0.1.0"
