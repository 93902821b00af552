-- The feedback table; same columns as SQLite's, with PostgreSQL's own types.
CREATE TABLE IF NOT EXISTS feedback (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time TIMESTAMPTZ NOT NULL,
    question TEXT NOT NULL,
    liked BOOLEAN NOT NULL,
    quotes JSONB NOT NULL,
    status TEXT NOT NULL
);
