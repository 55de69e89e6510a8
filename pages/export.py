"""Export: the curated set as an SFT dataset (train/val JSONL, dataset_info, manifest), downloadable as zip."""

from app.export_view import render

render()
