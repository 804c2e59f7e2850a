-- Accounts, sessions, API tokens and sign-in lockout (SQLite). Keep in step with
-- ../postgres/0002_auth.sql.
--
-- Secrets are never stored in a usable form: passwords as argon2id PHC strings, session and API
-- tokens as their SHA-256 (auth.HashToken), TOTP secrets encrypted with the data key (SM4-GCM,
-- bound to the user name), and the names tried at sign-in as a keyed hash (HMAC-SM3), because
-- people type passwords into the name field.

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT    NOT NULL UNIQUE, -- auth.NormalizeUsername form
    display_name         TEXT    NOT NULL DEFAULT '',
    role                 TEXT    NOT NULL,
    scope                TEXT    NOT NULL, -- auth.Scope text: region code or school:code
    password_hash        TEXT    NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    -- demo accounts (baoxue demo only) sign in without a second factor or forced change
    demo                 BOOLEAN NOT NULL DEFAULT FALSE,
    totp_enc             BLOB,    -- encrypted base32 secret; NULL until enrolment starts
    totp_confirmed       BOOLEAN NOT NULL DEFAULT FALSE, -- a code from the secret was accepted
    totp_last_step       INTEGER NOT NULL DEFAULT 0,     -- replay protection
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    password_changed_at  TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_seen  TIMESTAMP NOT NULL,
    pending    BOOLEAN NOT NULL DEFAULT FALSE -- password accepted, second factor owed
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    hash         TEXT    NOT NULL UNIQUE,
    hint         TEXT    NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked      BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed sign-ins per name tried, existing or not (auth.MaxFailures in a row lock the name for
-- auth.LockDuration), so that the lock survives a restart and holds across processes.
CREATE TABLE login_failures (
    name_key     BLOB PRIMARY KEY, -- HMAC-SM3 of the lower-cased name
    failures     INTEGER NOT NULL,
    last_failure TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
CREATE INDEX login_failures_last ON login_failures (last_failure);

CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
