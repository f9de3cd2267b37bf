-- A password given out once (the first admin's, printed by `serve`, or one an admin reset) must be
-- replaced by its owner at the next sign-in before anything else.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
