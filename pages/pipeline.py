"""Pipeline: point the tool at a Java repository, run the stages, see the run history."""

from app.pipeline_runner import render

render()
