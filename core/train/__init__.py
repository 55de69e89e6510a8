"""Stage package: train."""
