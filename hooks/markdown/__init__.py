"""Extend Markdown: the calculator fence, catalog figures in prose, inlined diagrams."""
