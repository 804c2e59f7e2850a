-- Case management (issue 6; DESIGN §2 steps 2–6, §5). Keep in step with ../postgres/0005_cases.sql.
--
-- A case is one child's file. Personal data is sealed as elsewhere: the child's ID number in
-- id_enc with its blind index in child_bidx; guardian, addresses, phones, visit notes, served-to
-- names and employer contacts in pii_enc blobs (store/cases.go lists the fields of each); evidence
-- files are encrypted whole. Dates are INTEGER yyyymmdd, 0 when unset.

CREATE TABLE cases (
    id                    INTEGER PRIMARY KEY,
    child_bidx            BLOB,
    id_enc                BLOB,
    name                  TEXT    NOT NULL DEFAULT '',
    sex                   TEXT    NOT NULL DEFAULT '',
    birth_date            INTEGER NOT NULL DEFAULT 0,
    region_code           TEXT    NOT NULL DEFAULT '', -- the child's village (or township)
    county_code           TEXT    NOT NULL DEFAULT '', -- the county that holds the case
    school_code           TEXT    NOT NULL DEFAULT '', -- the school the child attended
    school_name           TEXT    NOT NULL DEFAULT '',
    grade                 INTEGER NOT NULL DEFAULT 0,
    poverty               BOOLEAN NOT NULL DEFAULT FALSE,
    poverty_type          TEXT    NOT NULL DEFAULT '',
    disability            TEXT    NOT NULL DEFAULT '',
    priority_groups       TEXT    NOT NULL DEFAULT '',
    source                TEXT    NOT NULL,            -- comparison, screening, attendance, tip, manual
    source_ref            TEXT    NOT NULL DEFAULT '',
    state                 TEXT    NOT NULL,
    state_since           INTEGER NOT NULL,
    due_date              INTEGER NOT NULL DEFAULT 0,
    escalated             INTEGER NOT NULL DEFAULT 0,  -- escalation level already notified
    verifier              TEXT    NOT NULL DEFAULT '',  -- user name
    cadre                 TEXT    NOT NULL DEFAULT '',  -- user name of the 包抓 cadre
    outcome               TEXT    NOT NULL DEFAULT '',
    reasons               TEXT    NOT NULL DEFAULT '',  -- comma-separated codes
    supports              TEXT    NOT NULL DEFAULT '',  -- comma-separated codes
    dropout_date          INTEGER NOT NULL DEFAULT 0,
    confirmed_on          INTEGER NOT NULL DEFAULT 0,  -- first confirmation: on the dropout ledger
    return_date           INTEGER NOT NULL DEFAULT 0,
    return_school_code    TEXT    NOT NULL DEFAULT '',
    return_school         TEXT    NOT NULL DEFAULT '',
    return_grade          INTEGER NOT NULL DEFAULT 0,
    placement             TEXT    NOT NULL DEFAULT '',
    placement_recommended TEXT    NOT NULL DEFAULT '',
    placement_reason      TEXT    NOT NULL DEFAULT '',
    watch_round           INTEGER NOT NULL DEFAULT 0,  -- follow-up period, one per return
    reopened              INTEGER NOT NULL DEFAULT 0,  -- re-dropouts and reopenings
    note                  TEXT    NOT NULL DEFAULT '',  -- note of the last transition
    pii_enc               BLOB,   -- guardian name, relation, guardian phone, address
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
-- One open case per child: cleared, transferred and closed cases do not count.
CREATE UNIQUE INDEX cases_open_child ON cases (child_bidx) WHERE state NOT IN ('cleared', 'transferred', 'closed');
CREATE INDEX cases_child ON cases (child_bidx);
CREATE INDEX cases_state_county ON cases (state, county_code, due_date);
CREATE INDEX cases_county_state ON cases (county_code, state);
CREATE INDEX cases_region ON cases (region_code, id);
CREATE INDEX cases_school ON cases (school_code);
CREATE INDEX cases_return_school ON cases (return_school_code);
CREATE INDEX cases_cadre ON cases (cadre, state);
CREATE INDEX cases_verifier ON cases (verifier, state);

-- The history of a case: every change, with the version it produced (what a 409 shows).
CREATE TABLE case_events (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    at         TIMESTAMP NOT NULL,
    actor      TEXT    NOT NULL,
    role       TEXT    NOT NULL DEFAULT '',
    kind       TEXT    NOT NULL,
    from_state TEXT    NOT NULL DEFAULT '',
    to_state   TEXT    NOT NULL DEFAULT '',
    summary    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- The responsibility chain: government line, education line, guardian. pii_enc: name, phone.
CREATE TABLE case_responsibles (
    case_id  INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    position TEXT    NOT NULL,
    username TEXT    NOT NULL DEFAULT '',
    pii_enc  BLOB,
    PRIMARY KEY (case_id, position)
);

-- Persuasion visits and calls. pii_enc: place, notes.
CREATE TABLE case_visits (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    visit_date INTEGER NOT NULL,
    visitors   TEXT    NOT NULL,
    method     TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    pii_enc    BLOB,
    created_by TEXT    NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_visits_case ON case_visits (case_id, visit_date);

-- Evidence files (photos, PDFs), encrypted.
CREATE TABLE case_files (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    purpose      TEXT    NOT NULL,
    ref_id       INTEGER NOT NULL DEFAULT 0,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    uploaded_by  TEXT    NOT NULL,
    uploaded_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_files_case ON case_files (case_id);

-- Legal-ladder steps with their documents. pii_enc: served_to. extra: JSON of document inputs.
CREATE TABLE case_legal (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    step         TEXT    NOT NULL,
    doc_no       TEXT    NOT NULL,
    issuer       TEXT    NOT NULL,
    issued       INTEGER NOT NULL,
    deadline     INTEGER NOT NULL,
    served_how   TEXT    NOT NULL DEFAULT '',
    served_on    INTEGER NOT NULL DEFAULT 0,
    outcome      TEXT    NOT NULL DEFAULT '',
    outcome_on   INTEGER NOT NULL DEFAULT 0,
    outcome_note TEXT    NOT NULL DEFAULT '',
    extra        TEXT    NOT NULL DEFAULT '{}',
    pii_enc      BLOB,
    created_by   TEXT    NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX case_legal_case ON case_legal (case_id, id);

-- 文号: one sequence per county, year and document series, taken atomically (UPSERT … RETURNING).
CREATE TABLE doc_sequences (
    county TEXT    NOT NULL,
    year   INTEGER NOT NULL,
    kind   TEXT    NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (county, year, kind)
);

-- Referrals to labour inspection (童工专项查处). pii_enc: employer address, contact, phone.
CREATE TABLE case_referrals (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    referred_on INTEGER NOT NULL,
    agency      TEXT    NOT NULL,
    employer    TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    outcome     TEXT    NOT NULL DEFAULT '',
    updated_on  INTEGER NOT NULL DEFAULT 0,
    pii_enc     BLOB,
    created_by  TEXT    NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_referrals_case ON case_referrals (case_id);

-- The individual plan (一生一案) of a returned child.
CREATE TABLE case_plans (
    case_id      INTEGER PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    goals        TEXT NOT NULL DEFAULT '',
    measures     TEXT NOT NULL DEFAULT '',
    teacher      TEXT NOT NULL DEFAULT '',
    review_dates TEXT NOT NULL DEFAULT '', -- comma-separated yyyy-mm-dd
    updated_by   TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- Follow-up checkpoints after a return, one set per watch round.
CREATE TABLE case_checkpoints (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    watch_round INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    due         INTEGER NOT NULL,
    done_on     INTEGER NOT NULL DEFAULT 0,
    result      TEXT    NOT NULL DEFAULT '', -- in_school, dropped; '' not yet recorded
    note        TEXT    NOT NULL DEFAULT '',
    recorded_by TEXT    NOT NULL DEFAULT '',
    UNIQUE (case_id, watch_round, seq)
);
CREATE INDEX case_checkpoints_open ON case_checkpoints (done_on, due);

-- Transfers to another county.
CREATE TABLE case_transfers (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    from_county TEXT    NOT NULL,
    to_county   TEXT    NOT NULL,
    from_state  TEXT    NOT NULL,
    asked_on    INTEGER NOT NULL,
    due         INTEGER NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    asked_by    TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending', -- pending, accepted, rejected
    decided_by  TEXT    NOT NULL DEFAULT '',
    decided_on  INTEGER NOT NULL DEFAULT 0,
    answer      TEXT    NOT NULL DEFAULT '',
    new_case_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX case_transfers_to ON case_transfers (to_county, status);
CREATE INDEX case_transfers_case ON case_transfers (case_id);
CREATE UNIQUE INDEX case_transfers_pending ON case_transfers (case_id) WHERE status = 'pending';

-- In-app notifications (assignments, escalations).
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    username   TEXT    NOT NULL,
    case_id    INTEGER NOT NULL DEFAULT 0,
    kind       TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (username, id);

-- 动态清零 per county per day, for the trend and the days at zero.
CREATE TABLE zero_history (
    day              INTEGER NOT NULL,
    county_code      TEXT    NOT NULL,
    open_cases       INTEGER NOT NULL,
    overdue_suspects INTEGER NOT NULL,
    PRIMARY KEY (county_code, day)
);
