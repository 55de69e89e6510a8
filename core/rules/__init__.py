"""Stage package: rules."""
