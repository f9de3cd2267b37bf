-- Accounts: failed sign-ins are counted per username string (known or not) in the database, so
-- every instance shares the count and the lock-out. A row is forgotten on a successful sign-in
-- and purged once both its window and its lock-out are over.
CREATE TABLE login_failures (
	username     TEXT PRIMARY KEY,
	failures     INTEGER NOT NULL DEFAULT 0,
	first_at     BIGINT NOT NULL,
	locked_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX login_failures_first_at ON login_failures(first_at);
-- "Sign out everywhere" and a user's token list read by user.
CREATE INDEX sessions_user_id ON sessions(user_id);
CREATE INDEX api_tokens_user_id ON api_tokens(user_id, id);
