-- When a requester's data was erased (crypto-shredded): erased people leave lists and cannot be
-- edited back into existence; the empty row stays so that statistics keep their counts.
ALTER TABLE requesters ADD COLUMN erased_at BIGINT;
