-- A dislike's optional reason (a fixed code) and free-text comment, given after the click.
ALTER TABLE feedback ADD COLUMN reason TEXT;
ALTER TABLE feedback ADD COLUMN comment TEXT;
