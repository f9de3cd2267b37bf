-- The knowledge base: policies and guides in Markdown, one variant per language, every version
-- kept with who made it. search holds the normalised words of every variant (package textnorm,
-- as for cases), matched by prefix.
CREATE TABLE articles (
	id         INTEGER PRIMARY KEY,
	slug       TEXT NOT NULL UNIQUE,
	state      TEXT NOT NULL,
	categories TEXT NOT NULL DEFAULT '[]',
	variants   TEXT NOT NULL,
	version    INTEGER NOT NULL,
	search     TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by INTEGER REFERENCES users(id)
);
CREATE TABLE article_versions (
	article_id INTEGER NOT NULL REFERENCES articles(id),
	version    INTEGER NOT NULL,
	state      TEXT NOT NULL,
	categories TEXT NOT NULL,
	variants   TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	created_by INTEGER REFERENCES users(id),
	PRIMARY KEY (article_id, version)
);
-- A decision on a case citing an article version: closing it, setting its outcome.
CREATE TABLE case_citations (
	id         INTEGER PRIMARY KEY,
	case_id    INTEGER NOT NULL REFERENCES cases(id),
	article_id INTEGER NOT NULL REFERENCES articles(id),
	version    INTEGER NOT NULL,
	outcome    TEXT NOT NULL DEFAULT '',
	cited_at   BIGINT NOT NULL,
	cited_by   INTEGER REFERENCES users(id)
);
CREATE INDEX case_citations_case ON case_citations(case_id);
CREATE INDEX case_citations_article ON case_citations(article_id);
-- The outcomes whose decision must cite an article (set by admins).
CREATE TABLE citation_rules (
	outcome TEXT PRIMARY KEY
);
