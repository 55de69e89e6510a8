"""Stage package: validate. `revalidate_sample` is what the app calls when a curator saves an edit."""

from core.validate.runner import revalidate_sample, validate_repo

__all__ = ["revalidate_sample", "validate_repo"]
