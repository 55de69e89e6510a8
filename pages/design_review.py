"""Design review: requirement / proposal samples beside their evidence."""

from app.review_page import render

render("design")
