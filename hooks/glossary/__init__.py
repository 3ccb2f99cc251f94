"""Build the glossary: read and validate entries, render their pages, make them linkable, check their bodies."""
