-- Dashboard counts, ledger paging indexes and review decisions (issue 5, web application part 2).
-- Keep in step with ../sqlite/0003_dashboard.sql, which explains the tables.

CREATE TABLE run_region_counts (
    run_id      BIGINT  NOT NULL REFERENCES comparison_runs (id) ON DELETE CASCADE,
    depth       INTEGER NOT NULL,
    region_code TEXT    NOT NULL,
    leaf        BOOLEAN NOT NULL,
    status      TEXT    NOT NULL,
    category    TEXT    NOT NULL DEFAULT '',
    poverty     BOOLEAN NOT NULL DEFAULT FALSE,
    n           BIGINT  NOT NULL
);
CREATE INDEX run_region_counts_node ON run_region_counts (run_id, depth, region_code);

CREATE TABLE run_region_changes (
    run_id      BIGINT  NOT NULL REFERENCES comparison_runs (id) ON DELETE CASCADE,
    prev_run_id BIGINT  NOT NULL,
    depth       INTEGER NOT NULL,
    region_code TEXT    NOT NULL,
    leaf        BOOLEAN NOT NULL,
    new_suspects BIGINT NOT NULL DEFAULT 0,
    still_open  BIGINT  NOT NULL DEFAULT 0,
    resolved    BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX run_region_changes_node ON run_region_changes (run_id, depth, region_code);

CREATE TABLE run_summaries (
    run_id        BIGINT PRIMARY KEY REFERENCES comparison_runs (id) ON DELETE CASCADE,
    prev_run_id   BIGINT NOT NULL DEFAULT 0,
    summarized_at TIMESTAMPTZ NOT NULL
);

-- Keyset paging of ledgers (store.LedgerPage): every paging index ends in id, the tie-breaker.
-- The first one replaces the index of 0001 that lacked it.
DROP INDEX ledger_entries_run_status_region;
CREATE INDEX ledger_entries_run_status_region ON ledger_entries (run_id, status, region_code, id);
CREATE INDEX ledger_entries_run_region ON ledger_entries (run_id, region_code, id);
CREATE INDEX ledger_entries_run_status_name ON ledger_entries (run_id, status, name, id);
CREATE INDEX ledger_entries_run_school ON ledger_entries (run_id, school_code, id);

CREATE TABLE review_decisions (
    entry_id   BIGINT PRIMARY KEY REFERENCES ledger_entries (id) ON DELETE CASCADE,
    run_id     BIGINT NOT NULL,
    id_bidx    BYTEA,
    decision   TEXT   NOT NULL CHECK (decision IN ('link', 'separate')),
    note       TEXT   NOT NULL DEFAULT '',
    decided_by TEXT   NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX review_decisions_run ON review_decisions (run_id);
