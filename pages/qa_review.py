"""QA review: question / answer samples beside their evidence."""

from app.review_page import render

render("qa")
