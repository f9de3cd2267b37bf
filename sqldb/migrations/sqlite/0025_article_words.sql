-- The knowledge base's word index: each article's distinct normalised words, so that a prefix
-- search reads an index range per word instead of scanning every article's text.
CREATE TABLE article_words (
	word       TEXT NOT NULL,
	article_id INTEGER NOT NULL REFERENCES articles(id),
	PRIMARY KEY (word, article_id)
);
