-- Paging channels (issue 13): a user's email addresses and webhooks, used once verified. The
-- address and the webhook's signing secret are sealed with the row's data key.
CREATE TABLE page_channels (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users(id),
	kind         TEXT NOT NULL,
	address      TEXT NOT NULL,
	secret       TEXT NOT NULL DEFAULT '',
	quiet_start  TEXT NOT NULL DEFAULT '',
	quiet_end    TEXT NOT NULL DEFAULT '',
	time_zone    TEXT NOT NULL DEFAULT '',
	verified_at  BIGINT,
	code_hash    TEXT NOT NULL DEFAULT '',
	code_expires BIGINT,
	created_at   BIGINT NOT NULL,
	data_key     BLOB
);
CREATE INDEX page_channels_user ON page_channels(user_id);

-- One message to send on a channel: a page of an alert, or a channel's test.
CREATE TABLE page_deliveries (
	id         INTEGER PRIMARY KEY,
	alert_id   INTEGER REFERENCES alerts(id),
	channel_id INTEGER NOT NULL REFERENCES page_channels(id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users(id),
	kind       TEXT NOT NULL,
	code       TEXT NOT NULL DEFAULT '', -- a test's verification code, sealed
	created_at BIGINT NOT NULL,
	data_key   BLOB
);

-- Acknowledge links sent with pages: the token's hash only; single use, expiring.
CREATE TABLE ack_links (
	hash       TEXT PRIMARY KEY,
	alert_id   INTEGER NOT NULL REFERENCES alerts(id),
	user_id    INTEGER NOT NULL REFERENCES users(id),
	expires_at BIGINT NOT NULL,
	used_at    BIGINT
);
