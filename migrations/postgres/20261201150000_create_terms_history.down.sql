DROP TABLE agency_shares;
--bun:split
DROP TABLE creator_terms;
