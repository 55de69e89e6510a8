"""Domain map: state machines of status fields, flows as graphs, rules with their samples, and the map's tables."""

from app.domain_view import render

render()
