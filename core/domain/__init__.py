"""Stage package: domain."""
