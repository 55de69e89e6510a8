"""Domain map: modules and layers, entities, status dictionaries, endpoints, flows, and a flow graph."""

from app.domain_view import render

render()
