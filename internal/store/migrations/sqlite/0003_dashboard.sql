-- Dashboard counts, ledger paging indexes and review decisions (issue 5, web application part 2).
-- Keep in step with ../postgres/0003_dashboard.sql.

-- run_region_counts holds, for each comparison run, how many ledger entries each region has per
-- status, suspect category and poverty flag, at every level of the division tree: the dashboard
-- sums a handful of rows instead of scanning millions of entries. leaf rows count the entries whose
-- region_code is exactly this code; the other rows roll the leaves below them up (a township row
-- sums its villages), so a node's figure is the sum of all its rows. depth: 1 province,
-- 2 prefecture, 3 county, 4 township, 5 village, 0 no region code. Filled by store.SummarizeRun.
CREATE TABLE run_region_counts (
    run_id      INTEGER NOT NULL REFERENCES comparison_runs (id) ON DELETE CASCADE,
    depth       INTEGER NOT NULL,
    region_code TEXT    NOT NULL,
    leaf        BOOLEAN NOT NULL,
    status      TEXT    NOT NULL,
    category    TEXT    NOT NULL DEFAULT '', -- suspects only: why (store.SuspectCategories)
    poverty     BOOLEAN NOT NULL DEFAULT FALSE,
    n           INTEGER NOT NULL
);
CREATE INDEX run_region_counts_node ON run_region_counts (run_id, depth, region_code);

-- run_region_changes compares a run's suspects with those of the run before it, per region and
-- level like run_region_counts: new suspects, suspects still open, and suspects resolved since
-- (counted where the previous run placed them).
CREATE TABLE run_region_changes (
    run_id      INTEGER NOT NULL REFERENCES comparison_runs (id) ON DELETE CASCADE,
    prev_run_id INTEGER NOT NULL,
    depth       INTEGER NOT NULL,
    region_code TEXT    NOT NULL,
    leaf        BOOLEAN NOT NULL,
    new_suspects INTEGER NOT NULL DEFAULT 0,
    still_open  INTEGER NOT NULL DEFAULT 0,
    resolved    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX run_region_changes_node ON run_region_changes (run_id, depth, region_code);

-- run_summaries marks the runs whose counts are complete.
CREATE TABLE run_summaries (
    run_id        INTEGER PRIMARY KEY REFERENCES comparison_runs (id) ON DELETE CASCADE,
    prev_run_id   INTEGER NOT NULL DEFAULT 0,
    summarized_at TIMESTAMP NOT NULL
);

-- Keyset paging of ledgers (store.LedgerPage). SQLite appends the rowid (= id) to every index, so
-- (run_id, status, region_code) already orders by (region_code, id) within a status.
CREATE INDEX ledger_entries_run_region ON ledger_entries (run_id, region_code);
CREATE INDEX ledger_entries_run_status_name ON ledger_entries (run_id, status, name);
CREATE INDEX ledger_entries_run_school ON ledger_entries (run_id, school_code);

-- review_decisions: a person's decision on a `review` entry (link: the proposed 学籍 is this
-- child; separate: not the same child). id_bidx is the child's blind index, so that a later run
-- can carry the decision over. One decision per entry; a new one replaces it (both are audited).
CREATE TABLE review_decisions (
    entry_id   INTEGER PRIMARY KEY REFERENCES ledger_entries (id) ON DELETE CASCADE,
    run_id     INTEGER NOT NULL,
    id_bidx    BLOB,
    decision   TEXT    NOT NULL CHECK (decision IN ('link', 'separate')),
    note       TEXT    NOT NULL DEFAULT '',
    decided_by TEXT    NOT NULL,
    decided_at TIMESTAMP NOT NULL
);
CREATE INDEX review_decisions_run ON review_decisions (run_id);
