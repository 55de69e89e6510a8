"""Stage package: validate."""
