-- Message Batches this tool submitted, stored before polling starts, so an interrupted
-- `generate` resumes the batch instead of paying for it again.
CREATE TABLE llm_batches (
    batch_id     VARCHAR PRIMARY KEY,
    repo_id      VARCHAR NOT NULL,
    backend      VARCHAR NOT NULL,
    model        VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,          -- open | collected | cancelled
    submitted_at TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP
);

CREATE TABLE llm_batch_items (
    batch_id   VARCHAR NOT NULL,
    custom_id  VARCHAR NOT NULL,
    input_hash VARCHAR NOT NULL,
    PRIMARY KEY (batch_id, custom_id)
);

-- Every paid LLM request (retries, repairs and refusals included), with its tokens and cost.
CREATE TABLE llm_calls (
    repo_id     VARCHAR NOT NULL,
    backend     VARCHAR NOT NULL,
    model       VARCHAR NOT NULL,
    input_hash  VARCHAR NOT NULL,
    input_tokens  INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens  INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    cost_usd    DOUBLE,
    batch       BOOLEAN NOT NULL,
    stop_reason VARCHAR,
    created_at  TIMESTAMP NOT NULL
);
