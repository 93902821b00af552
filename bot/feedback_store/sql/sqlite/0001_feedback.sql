-- The feedback table as first shipped (files written before migrations existed already have it).
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    liked INTEGER NOT NULL CHECK (liked IN (0, 1)),
    quotes TEXT NOT NULL,
    status TEXT NOT NULL
);
