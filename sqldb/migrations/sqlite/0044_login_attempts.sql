-- Sign-in attempts per client address and minute (issue 17), counted here rather than in each
-- process's memory so that several instances on one database share the limit. The address is
-- kept only as a hash, and rows are deleted once their minute is over.
CREATE TABLE login_attempts (
	window_start BIGINT NOT NULL,
	addr_hash    TEXT NOT NULL,
	attempts     INTEGER NOT NULL,
	PRIMARY KEY (window_start, addr_hash)
);
