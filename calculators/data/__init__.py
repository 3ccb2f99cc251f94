"""Catalogs as data files (JSON), one record per entry, each with its source."""
