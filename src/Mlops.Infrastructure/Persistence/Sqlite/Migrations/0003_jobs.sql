-- The job queue. A job is claimable when queued and due (not_before), or running with an expired lease.
CREATE TABLE jobs (
    job_id           INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL,
    queue            TEXT    NOT NULL,
    priority         INTEGER NOT NULL DEFAULT 0,
    payload          TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    backoff_seconds  INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    heartbeat_at     INTEGER,
    progress         REAL    NOT NULL DEFAULT 0,
    progress_message TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    not_before       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    result           TEXT,
    error            TEXT
);
CREATE INDEX ix_jobs_claim ON jobs (queue, status, priority DESC, job_id);
CREATE INDEX ix_jobs_status ON jobs (status, job_id);

CREATE TABLE job_logs (
    job_id   INTEGER NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    sequence INTEGER NOT NULL,
    time     INTEGER NOT NULL,
    text     TEXT    NOT NULL,
    PRIMARY KEY (job_id, sequence)
) WITHOUT ROWID;
