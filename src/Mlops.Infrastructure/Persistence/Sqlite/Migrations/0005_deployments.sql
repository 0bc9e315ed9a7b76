-- Serving endpoints. Revisions are numbered 1..n per endpoint and never deleted; only role, weight, requested weight
-- (a promoted canary or shadow asks for 100), replicas, state and error change after insertion. The history is append-only: rows are inserted, never updated or deleted.
-- Enums are stored by their wire names (lowercase words, snake_case change kinds).
CREATE TABLE endpoints (
    endpoint_id INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    state       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE endpoint_revisions (
    endpoint_id      INTEGER NOT NULL REFERENCES endpoints (endpoint_id) ON DELETE CASCADE,
    number           INTEGER NOT NULL,
    model_uri        TEXT    NOT NULL,
    resolved_name    TEXT,
    resolved_version INTEGER,
    role             TEXT    NOT NULL,
    weight           INTEGER NOT NULL,
    requested_weight INTEGER NOT NULL,
    replicas         INTEGER NOT NULL,
    state            TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    created_by       TEXT    NOT NULL,
    reason           TEXT    NOT NULL,
    restored_from    INTEGER,
    error            TEXT,
    PRIMARY KEY (endpoint_id, number)
);

CREATE TABLE endpoint_history (
    endpoint_id INTEGER NOT NULL REFERENCES endpoints (endpoint_id) ON DELETE CASCADE,
    sequence    INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    revision    INTEGER,
    at          INTEGER NOT NULL,
    changed_by  TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    PRIMARY KEY (endpoint_id, sequence)
);
