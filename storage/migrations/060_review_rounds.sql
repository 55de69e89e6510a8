-- Second review: a setting for how many reviewers a sample needs, and each
-- reviewer's decision in force as a vote. Votes are derived from the audit
-- trail (review_events), never stored twice, so Undo and reset change them
-- exactly as they change the review state.

CREATE TABLE settings (
    name        VARCHAR PRIMARY KEY,
    value       VARCHAR NOT NULL,
    updated_by  VARCHAR,
    updated_at  TIMESTAMP
);
INSERT INTO settings VALUES ('reviewers_required', '1', NULL, now()::TIMESTAMP);

-- One row per (sample version, reviewer): that reviewer's latest decision still in force.
-- An undone batch is not in force; a reset (bulk "reset to pending") clears every vote before it.
-- verdict is the state the decision left (accepted | edited | rejected); content_key tells two edits
-- apart (md5 of the edited sample), so "agree" means the same verdict on the same text.
-- A decision stored without an event (an import, a script, a database older than the audit trail)
-- still counts as its reviewer's vote: it is the `before` of the sample's first event, or the
-- review state itself while there is no event at all.
CREATE VIEW review_votes AS
WITH undone AS (
    SELECT undoes FROM review_events WHERE undoes IS NOT NULL
), decisions AS (
    SELECT event_id AS seq, event_id, sample_id, version, action, reviewer, reason, after, created_at
    FROM review_events
    WHERE action IN ('accept', 'edit', 'reject', 'reset') AND COALESCE(batch_id, '') NOT IN (SELECT undoes FROM undone)
    UNION ALL
    SELECT first.event_id - 0.5, NULL, first.sample_id, first.version, 'import',
           COALESCE(json_extract_string(first.before, '$.reviewer'), '(unknown)'),
           json_extract_string(first.before, '$.reason'), first.before,
           TRY_CAST(json_extract_string(first.before, '$.updated_at') AS TIMESTAMP)
    FROM (SELECT * FROM review_events QUALIFY row_number() OVER (PARTITION BY sample_id, version ORDER BY event_id) = 1) first
    WHERE first.before IS NOT NULL AND json_type(first.before) = 'OBJECT'
    UNION ALL
    SELECT 0, NULL, r.sample_id, r.version, 'import', COALESCE(r.reviewer, '(unknown)'), r.reason,
           json_object('status', r.status, 'edited_payload', r.edited_payload), r.updated_at
    FROM review_state r
    WHERE NOT EXISTS (SELECT 1 FROM review_events e WHERE e.sample_id = r.sample_id AND e.version = r.version)
), cleared AS (
    SELECT sample_id, version, max(seq) AS at FROM decisions WHERE action = 'reset' GROUP BY ALL
), latest AS (
    SELECT d.* FROM decisions d
    LEFT JOIN cleared c ON c.sample_id = d.sample_id AND c.version = d.version
    WHERE d.seq > COALESCE(c.at, -1) AND d.action <> 'reset'
    QUALIFY row_number() OVER (PARTITION BY d.sample_id, d.version, d.reviewer ORDER BY d.seq DESC) = 1
)
SELECT sample_id, version, reviewer, event_id, json_extract_string(after, '$.status') AS verdict,
       CASE WHEN json_extract_string(after, '$.status') = 'edited'
                 AND COALESCE(json_type(after, '$.edited_payload'), 'NULL') <> 'NULL'
            THEN md5(CAST(json_extract(after, '$.edited_payload') AS VARCHAR)) END AS content_key,
       reason, created_at
FROM latest;

-- Where each reviewed sample version stands: disputed when its votes differ (verdict or edited text),
-- final when at least `reviewers_required` distinct reviewers agree, awaiting otherwise.
-- A version with no vote has no row here: it is unreviewed.
CREATE VIEW review_rounds AS
SELECT sample_id, version, count(*) AS voters,
       CASE WHEN count(DISTINCT verdict || COALESCE(':' || content_key, '')) > 1 THEN 'disputed'
            WHEN count(*) >= COALESCE((SELECT TRY_CAST(value AS INTEGER) FROM settings
                                       WHERE name = 'reviewers_required'), 1) THEN 'final'
            ELSE 'awaiting' END AS stage
FROM review_votes GROUP BY ALL;
