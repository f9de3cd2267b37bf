-- Who is on which case's page (issue 16): one row per case and user, replaced by each ping of
-- the page; rows older than a minute mean nothing and are cleared as pings come.
CREATE TABLE case_presence (
	case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	state   TEXT NOT NULL,
	seen_at BIGINT NOT NULL,
	PRIMARY KEY (case_id, user_id)
);
