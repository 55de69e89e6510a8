-- Strict validation checks that cited lines hold what each reasoning claim names (core/train/support.py).
ALTER TABLE infer_results ADD COLUMN supported BOOLEAN;
ALTER TABLE infer_results ADD COLUMN unsupported JSON;
