CREATE INDEX clicks_link_idx ON clicks (org_id, link_id, kind);
--bun:split
DROP TABLE link_clicks;
