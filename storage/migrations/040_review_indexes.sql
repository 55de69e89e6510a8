-- Review app: audit batches (so Undo reverts a bulk action as one step) and
-- indexes for the queue's point look-ups. Filtered scans over samples are
-- columnar and fast without indexes; these serve joins and history.

ALTER TABLE review_events ADD COLUMN batch_id VARCHAR;
ALTER TABLE review_events ADD COLUMN undoes VARCHAR;   -- batch_id this undo event reverted

CREATE INDEX review_events_sample_idx ON review_events (sample_id, version);
CREATE INDEX review_events_reviewer_idx ON review_events (reviewer);
