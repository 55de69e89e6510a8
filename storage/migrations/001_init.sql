-- The shared schema: every stage reads what the previous one stored.
-- Stage-specific additions go in later migrations (see storage/migrations/README.md).

-- A repository that has been indexed. repo_id is a short stable name (the
-- directory name); every other table is keyed by it so one file can hold
-- several repositories.
CREATE TABLE repos (
    repo_id     VARCHAR PRIMARY KEY,
    root        VARCHAR NOT NULL,
    git_commit  VARCHAR,
    indexed_at  TIMESTAMP
);

-- One row per stage invocation, for the run history in the app and CLI.
CREATE SEQUENCE pipeline_run_seq;
CREATE TABLE pipeline_runs (
    run_id      BIGINT PRIMARY KEY DEFAULT nextval('pipeline_run_seq'),
    repo_id     VARCHAR,
    stage       VARCHAR NOT NULL,
    params      JSON,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status      VARCHAR NOT NULL,          -- running | ok | failed
    counts      JSON,
    message     VARCHAR
);

-- ---------------------------------------------------------------- index --
CREATE TABLE files (
    repo_id      VARCHAR NOT NULL,
    path         VARCHAR NOT NULL,          -- relative to the repo root, '/' separated
    sha256       VARCHAR NOT NULL,          -- of the raw bytes
    size         BIGINT NOT NULL,
    encoding     VARCHAR NOT NULL,          -- utf-8, gbk, ...
    language     VARCHAR NOT NULL,          -- java | xml | yaml | properties
    module       VARCHAR,                   -- Maven module, '' for the root
    line_count   INTEGER NOT NULL,
    parse_errors JSON,                      -- [[start_line, end_line], ...]
    is_generated BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (repo_id, path)
);

CREATE TABLE skipped_files (
    repo_id VARCHAR NOT NULL,
    path    VARCHAR NOT NULL,
    reason  VARCHAR NOT NULL,
    PRIMARY KEY (repo_id, path)
);

CREATE TABLE chunks (
    repo_id    VARCHAR NOT NULL,
    chunk_id   VARCHAR NOT NULL,            -- stable: path#start-end
    path       VARCHAR NOT NULL,
    start_line INTEGER NOT NULL,            -- 1-based inclusive
    end_line   INTEGER NOT NULL,
    kind       VARCHAR NOT NULL,            -- method | class | field_block | sql | config
    symbol_id  VARCHAR,                     -- the method / class / statement it belongs to
    header     VARCHAR,                     -- class header given as context
    text       VARCHAR NOT NULL,
    PRIMARY KEY (repo_id, chunk_id)
);

CREATE TABLE symbols (
    repo_id     VARCHAR NOT NULL,
    symbol_id   VARCHAR NOT NULL,           -- pkg.Class, pkg.Class#method(T1,T2), pkg.Class.field
    kind        VARCHAR NOT NULL,           -- class | interface | enum | field | method | constructor | enum_constant
    name        VARCHAR NOT NULL,           -- simple name
    parent_id   VARCHAR,                    -- enclosing type
    package     VARCHAR,
    path        VARCHAR NOT NULL,
    start_line  INTEGER NOT NULL,
    end_line    INTEGER NOT NULL,
    signature   VARCHAR,
    type        VARCHAR,                    -- field type / return type
    modifiers   VARCHAR,
    annotations JSON,                       -- [{"name": "...", "args": "..."}]
    doc         VARCHAR,                    -- Javadoc and leading comments
    extends     JSON,                       -- supertypes / implemented interfaces (simple or fq names)
    PRIMARY KEY (repo_id, symbol_id)
);

CREATE TABLE calls (
    repo_id       VARCHAR NOT NULL,
    caller_id     VARCHAR NOT NULL,
    callee_name   VARCHAR NOT NULL,         -- as written: receiver.method
    callee_id     VARCHAR,                  -- resolved symbol, NULL when unresolved
    receiver_type VARCHAR,
    path          VARCHAR NOT NULL,
    line          INTEGER NOT NULL
);

CREATE TABLE sql_statements (
    repo_id      VARCHAR NOT NULL,
    stmt_id      VARCHAR NOT NULL,          -- namespace.id
    namespace    VARCHAR NOT NULL,
    statement    VARCHAR NOT NULL,          -- the id attribute
    kind         VARCHAR NOT NULL,          -- select | insert | update | delete
    path         VARCHAR NOT NULL,
    start_line   INTEGER NOT NULL,
    end_line     INTEGER NOT NULL,
    sql          VARCHAR NOT NULL,          -- dynamic tags flattened
    tables       JSON,
    method_id    VARCHAR,                   -- the DAO / mapper method symbol it implements
    PRIMARY KEY (repo_id, stmt_id)
);

CREATE TABLE config_keys (
    repo_id VARCHAR NOT NULL,
    path    VARCHAR NOT NULL,
    key     VARCHAR NOT NULL,
    value   VARCHAR,                        -- secret-looking values masked
    line    INTEGER NOT NULL,
    masked  BOOLEAN NOT NULL DEFAULT false
);

-- ------------------------------------------------------------ domain map --
-- Classes placed in the architecture: layer, module, domain labels.
CREATE TABLE map_classes (
    repo_id      VARCHAR NOT NULL,
    symbol_id    VARCHAR NOT NULL,
    layer        VARCHAR NOT NULL,          -- controller | service | service_impl | dao | mapper | model | dto | component | config | other
    module       VARCHAR,
    domains      JSON,                      -- ["order", "stock"]
    is_generated BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (repo_id, symbol_id)
);

CREATE TABLE map_endpoints (
    repo_id     VARCHAR NOT NULL,
    http_method VARCHAR NOT NULL,
    route       VARCHAR NOT NULL,
    handler_id  VARCHAR NOT NULL,
    domains     JSON,
    summary     VARCHAR
);

CREATE TABLE map_entities (
    repo_id    VARCHAR NOT NULL,
    symbol_id  VARCHAR NOT NULL,
    tables     JSON,                        -- tables its SQL touches
    domains    JSON,
    PRIMARY KEY (repo_id, symbol_id)
);

CREATE TABLE map_status_dicts (
    repo_id    VARCHAR NOT NULL,
    dict_id    VARCHAR NOT NULL,            -- owner symbol, e.g. pkg.OrdOrder.status
    owner      VARCHAR NOT NULL,            -- class simple name
    field      VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,            -- comment | annotation | enum
    domains    JSON,
    path       VARCHAR NOT NULL,
    start_line INTEGER NOT NULL,
    end_line   INTEGER NOT NULL,
    entries    JSON NOT NULL,               -- [{"code": "0", "label": "待付款"}]
    PRIMARY KEY (repo_id, dict_id)
);

CREATE TABLE map_operations (
    repo_id   VARCHAR NOT NULL,
    symbol_id VARCHAR NOT NULL,             -- a service method
    domains   JSON,
    PRIMARY KEY (repo_id, symbol_id)
);

CREATE TABLE map_flows (
    repo_id     VARCHAR NOT NULL,
    flow_id     VARCHAR NOT NULL,
    entry_kind  VARCHAR NOT NULL,           -- endpoint | scheduled | listener
    entry_id    VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    domains     JSON,
    steps       JSON NOT NULL,              -- [{"depth", "symbol_id", "kind", "path", "start_line", "end_line", "stmt_id"}]
    PRIMARY KEY (repo_id, flow_id)
);

-- ---------------------------------------------------------- rules, flows --
CREATE TABLE rules (
    repo_id      VARCHAR NOT NULL,
    rule_id      VARCHAR NOT NULL,          -- stable hash of kind + evidence location + statement
    kind         VARCHAR NOT NULL,          -- guard | transition | sql_invariant | calculation | schedule | messaging | status_dict | side_effects
    domain       VARCHAR NOT NULL,
    symbol_id    VARCHAR,                   -- where it lives
    statement_en VARCHAR NOT NULL,
    statement_zh VARCHAR NOT NULL,
    evidence     JSON NOT NULL,             -- [{"path", "start_line", "end_line"}]
    facts        JSON,                      -- kind-specific structured data for generators
    PRIMARY KEY (repo_id, rule_id)
);

-- -------------------------------------------------------------- samples --
-- A sample is identified by sample_id (stable across re-generation: source +
-- question kind + language). Changed content makes a new version; old
-- versions stay, and review decisions belong to the version they were made on.
CREATE TABLE samples (
    sample_id     VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    repo_id       VARCHAR NOT NULL,
    task_type     VARCHAR NOT NULL,         -- qa | design
    domain        VARCHAR NOT NULL,
    language      VARCHAR NOT NULL,         -- en | zh
    source_kind   VARCHAR NOT NULL,         -- rule | flow | map | requirement
    source_ref    VARCHAR NOT NULL,         -- rule_id / flow_id / requirement id
    rule_kind     VARCHAR,                  -- for filtering in review
    question_kind VARCHAR,
    question      VARCHAR NOT NULL,         -- QA question, or design requirement
    answer        VARCHAR NOT NULL,         -- QA answer, or design proposal as markdown
    payload       JSON NOT NULL,            -- the whole core.models.Sample
    content_hash  VARCHAR NOT NULL,
    backend       VARCHAR NOT NULL,
    model         VARCHAR,
    prompt_hash   VARCHAR,
    input_hash    VARCHAR NOT NULL,
    tokens_in     INTEGER,
    tokens_out    INTEGER,
    cost_usd      DOUBLE,
    created_at    TIMESTAMP NOT NULL,
    is_current    BOOLEAN NOT NULL DEFAULT true,
    PRIMARY KEY (sample_id, version)
);

-- Work items a generator could not turn into a sample (failed LLM call, bad output).
CREATE TABLE generation_failures (
    repo_id    VARCHAR NOT NULL,
    input_hash VARCHAR NOT NULL,
    source_ref VARCHAR NOT NULL,
    backend    VARCHAR NOT NULL,
    reason     VARCHAR NOT NULL,
    attempts   INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Raw LLM responses keyed by input hash, so re-runs do not pay twice.
CREATE TABLE llm_cache (
    input_hash VARCHAR NOT NULL,
    backend    VARCHAR NOT NULL,
    model      VARCHAR NOT NULL,
    response   JSON NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (input_hash, backend, model)
);

-- ----------------------------------------------------------- validation --
CREATE TABLE checks (
    sample_id  VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    check_name VARCHAR NOT NULL,
    result     VARCHAR NOT NULL,            -- pass | warn | fail
    message    VARCHAR,
    checked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (sample_id, version, check_name)
);

CREATE TABLE sample_quality (
    sample_id      VARCHAR NOT NULL,
    version        INTEGER NOT NULL,
    status         VARCHAR NOT NULL,        -- worst check result: pass | warn | fail
    score          DOUBLE NOT NULL,         -- 0..1
    dup_cluster    VARCHAR,
    dup_keep       BOOLEAN NOT NULL DEFAULT true,
    PRIMARY KEY (sample_id, version)
);

-- --------------------------------------------------------------- review --
-- Current decision per sample version (fast queue queries) ...
CREATE TABLE review_state (
    sample_id      VARCHAR NOT NULL,
    version        INTEGER NOT NULL,
    status         VARCHAR NOT NULL,        -- pending | accepted | edited | rejected
    reviewer       VARCHAR,
    edited_payload JSON,                    -- the curator's version of the Sample, when edited
    reason         VARCHAR,
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (sample_id, version)
);

-- ... and the full audit trail: every action, never updated or deleted.
CREATE SEQUENCE review_event_seq;
CREATE TABLE review_events (
    event_id   BIGINT PRIMARY KEY DEFAULT nextval('review_event_seq'),
    sample_id  VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    action     VARCHAR NOT NULL,            -- accept | edit | reject | skip | undo | reset
    reviewer   VARCHAR NOT NULL,
    reason     VARCHAR,
    before     JSON,                        -- review_state before
    after      JSON,                        -- review_state after
    created_at TIMESTAMP NOT NULL
);

-- --------------------------------------------------------------- export --
CREATE TABLE exports (
    export_id  VARCHAR PRIMARY KEY,
    out_dir    VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    manifest   JSON NOT NULL
);

-- ------------------------------------------------------ training, infer --
CREATE TABLE train_runs (
    run_id        VARCHAR PRIMARY KEY,
    run_dir       VARCHAR NOT NULL,
    export_dir    VARCHAR NOT NULL,
    base_model    VARCHAR NOT NULL,
    config        JSON,
    pid           INTEGER,
    status        VARCHAR NOT NULL,         -- queued | running | finished | failed | stopped
    message       VARCHAR,
    started_at    TIMESTAMP,
    finished_at   TIMESTAMP,
    final_metrics JSON
);

CREATE TABLE infer_results (
    run_id       VARCHAR NOT NULL,
    sample_id    VARCHAR NOT NULL,
    model_kind   VARCHAR NOT NULL,          -- base | tuned
    output       VARCHAR NOT NULL,
    layout_ok    BOOLEAN NOT NULL,
    citations_ok BOOLEAN NOT NULL,
    unknown_identifiers JSON,
    overlap      DOUBLE,                    -- ROUGE-L F1 against the reference answer
    PRIMARY KEY (run_id, sample_id, model_kind)
);
