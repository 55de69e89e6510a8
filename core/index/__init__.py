"""Stage package: index."""
