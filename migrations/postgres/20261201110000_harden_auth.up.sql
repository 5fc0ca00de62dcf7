-- An account belongs to an organization: the same e-mail may have a user in several organizations
-- (a bookkeeper working for two sellers), and adding one tells nothing about another organization's
-- staff. Login checks the password against each user of the address.
DROP INDEX users_email_key;
--bun:split
CREATE UNIQUE INDEX users_org_email_key ON users (org_id, email);
--bun:split
-- Login looks users up by e-mail across organizations.
CREATE INDEX users_email_idx ON users (email);
--bun:split
-- ratelimit.Purge deletes ended windows by their start.
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);
