"""Stage package: export. The app's Export page uses `export_dataset`, `preview`, `list_exports`, `zip_export`."""

from core.export.dataset import SplitOptions, export_dataset, list_exports, preview
from core.export.select import ExportFilters
from core.export.writer import zip_export

__all__ = ["ExportFilters", "SplitOptions", "export_dataset", "list_exports", "preview", "zip_export"]
