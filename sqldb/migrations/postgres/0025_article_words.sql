-- The knowledge base's word index: each article's distinct normalised words, so that a prefix
-- search reads an index range per word instead of scanning every article's text. Byte order
-- (COLLATE "C") makes "every word starting with w" one range.
CREATE TABLE article_words (
	word       TEXT COLLATE "C" NOT NULL,
	article_id BIGINT NOT NULL REFERENCES articles(id),
	PRIMARY KEY (word, article_id)
);
