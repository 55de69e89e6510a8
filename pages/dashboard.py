"""Dashboard: review progress, validation, reject reasons, reviewers, the last runs, and the next action."""

from app.dashboard_view import render

render()
