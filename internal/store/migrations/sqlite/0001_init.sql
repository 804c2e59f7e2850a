-- Initial schema (SQLite). Keep in step with ../postgres/0001_init.sql: same tables, columns and
-- meaning; only types and trigger syntax differ.
--
-- Personal information (DESIGN §9) is never stored in clear: ID numbers are in *_enc columns
-- (SM4-GCM, see internal/pii) with an HMAC-SM3 blind index in id_bidx for equality lookups; raw
-- ID cells, student numbers and certificate numbers (which contain the ID), addresses, guardian
-- details and phones are in pii_enc. Names stay in clear because fuzzy matching needs them and they
-- are masked wherever shown. Dates of birth are INTEGER yyyymmdd, 0 when unknown.

-- settings holds store-wide values; key_check is a keyed hash (HMAC-SM3) of a constant that tells
-- whether the key given at start-up is the one the data was encrypted with.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE datasets (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    sheet        TEXT    NOT NULL DEFAULT '',
    rows_read    INTEGER NOT NULL DEFAULT 0,
    accepted     INTEGER NOT NULL DEFAULT 0,
    rejected     INTEGER NOT NULL DEFAULT 0,
    warnings     INTEGER NOT NULL DEFAULT 0,
    error_counts TEXT    NOT NULL DEFAULT '{}', -- JSON: error code → count
    importer     TEXT    NOT NULL DEFAULT '',
    imported_at  TIMESTAMP NOT NULL,
    as_of        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, sha256)
);

CREATE TABLE villages (
    code          TEXT PRIMARY KEY, -- 12 digits
    name          TEXT NOT NULL,
    township_code TEXT NOT NULL,
    dataset_id    INTEGER REFERENCES datasets (id)
);

CREATE TABLE schools (
    code        TEXT PRIMARY KEY, -- 10-digit 学校标识码
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',
    boarding    BOOLEAN NOT NULL DEFAULT FALSE,
    dataset_id  INTEGER REFERENCES datasets (id)
);
CREATE INDEX schools_region ON schools (region_code);

CREATE TABLE persons (
    id           INTEGER PRIMARY KEY,
    dataset_id   INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    source_row   INTEGER NOT NULL,
    id_enc       BLOB,
    id_bidx      BLOB,
    id_error     TEXT    NOT NULL DEFAULT '',
    name         TEXT    NOT NULL DEFAULT '',
    sex          TEXT    NOT NULL DEFAULT '',
    birth_date   INTEGER NOT NULL DEFAULT 0,
    ethnicity    TEXT    NOT NULL DEFAULT '',
    household_no TEXT    NOT NULL DEFAULT '',
    relation     TEXT    NOT NULL DEFAULT '',
    region_code  TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT '',
    status_raw   TEXT    NOT NULL DEFAULT '',
    pii_enc      BLOB -- id_raw, address, guardian_name, guardian_id, phone
);
CREATE INDEX persons_dataset ON persons (dataset_id);
CREATE INDEX persons_bidx ON persons (id_bidx);

CREATE TABLE enrollments (
    id          INTEGER PRIMARY KEY,
    dataset_id  INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    source_row  INTEGER NOT NULL,
    id_enc      BLOB,
    id_bidx     BLOB,
    id_error    TEXT    NOT NULL DEFAULT '',
    name        TEXT    NOT NULL DEFAULT '',
    sex         TEXT    NOT NULL DEFAULT '',
    birth_date  INTEGER NOT NULL DEFAULT 0,
    school_code TEXT    NOT NULL DEFAULT '',
    school_name TEXT    NOT NULL DEFAULT '',
    grade       INTEGER NOT NULL DEFAULT 0,
    status      TEXT    NOT NULL DEFAULT '',
    status_raw  TEXT    NOT NULL DEFAULT '',
    home_taught BOOLEAN NOT NULL DEFAULT FALSE,
    national    BOOLEAN NOT NULL DEFAULT FALSE,
    pii_enc     BLOB -- student_no (G/J/L + the ID number), id_raw
);
CREATE INDEX enrollments_dataset ON enrollments (dataset_id);
CREATE INDEX enrollments_bidx ON enrollments (id_bidx);

CREATE TABLE poverty_records (
    id           INTEGER PRIMARY KEY,
    dataset_id   INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    source_row   INTEGER NOT NULL,
    id_enc       BLOB,
    id_bidx      BLOB,
    id_error     TEXT NOT NULL DEFAULT '',
    household_no TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL DEFAULT '',
    relation     TEXT NOT NULL DEFAULT '',
    type         TEXT NOT NULL DEFAULT '',
    region_code  TEXT NOT NULL DEFAULT '',
    pii_enc      BLOB -- id_raw
);
CREATE INDEX poverty_records_dataset ON poverty_records (dataset_id);
CREATE INDEX poverty_records_bidx ON poverty_records (id_bidx);

CREATE TABLE disability_records (
    id         INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    source_row INTEGER NOT NULL,
    id_enc     BLOB,
    id_bidx    BLOB,
    id_error   TEXT    NOT NULL DEFAULT '',
    name       TEXT    NOT NULL DEFAULT '',
    category   TEXT    NOT NULL DEFAULT '',
    level      INTEGER NOT NULL DEFAULT 0,
    pii_enc    BLOB -- id_raw, cert_no (contains the ID number)
);
CREATE INDEX disability_records_dataset ON disability_records (dataset_id);
CREATE INDEX disability_records_bidx ON disability_records (id_bidx);

CREATE TABLE comparison_runs (
    id          INTEGER PRIMARY KEY,
    as_of       INTEGER NOT NULL,
    age_rule    TEXT    NOT NULL DEFAULT '{}', -- JSON
    dataset_ids TEXT    NOT NULL DEFAULT '[]', -- JSON array of datasets.id
    counts      TEXT    NOT NULL DEFAULT '{}', -- JSON: status → count
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE ledger_entries (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES comparison_runs (id) ON DELETE CASCADE,
    source_row      INTEGER NOT NULL,
    id_enc          BLOB,
    id_bidx         BLOB,
    name            TEXT    NOT NULL DEFAULT '',
    sex             TEXT    NOT NULL DEFAULT '',
    birth_date      INTEGER NOT NULL DEFAULT 0,
    region_code     TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL,
    detail          TEXT    NOT NULL DEFAULT '',
    match_method    TEXT    NOT NULL DEFAULT '',
    match_score     REAL    NOT NULL DEFAULT 0,
    school_code     TEXT    NOT NULL DEFAULT '',
    school_name     TEXT    NOT NULL DEFAULT '',
    poverty         BOOLEAN NOT NULL DEFAULT FALSE,
    poverty_type    TEXT    NOT NULL DEFAULT '',
    disability      TEXT    NOT NULL DEFAULT '',
    priority_groups TEXT    NOT NULL DEFAULT '', -- comma-separated codes
    pii_enc         BLOB -- matched_student_no (contains the ID number)
);
CREATE INDEX ledger_entries_run_status_region ON ledger_entries (run_id, status, region_code);
CREATE INDEX ledger_entries_bidx ON ledger_entries (id_bidx);

-- The audit log is append-only: the application inserts, nobody updates or deletes (DESIGN §9).
-- audit_head records the last record appended, so that removing records at the end is detected.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TIMESTAMP NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL DEFAULT '',
    scope      TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    object     TEXT NOT NULL DEFAULT '',
    result     TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_head_advance_only BEFORE UPDATE ON audit_head
WHEN NEW.seq <> OLD.seq + 1 OR NEW.id <> OLD.id
BEGIN
    SELECT RAISE(ABORT, 'audit_head only advances by one record');
END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_head cannot be deleted');
END;
