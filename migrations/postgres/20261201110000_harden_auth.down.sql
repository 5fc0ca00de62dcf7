DROP INDEX rate_limits_window_idx;
--bun:split
DROP INDEX users_email_idx;
--bun:split
DROP INDEX users_org_email_key;
--bun:split
-- Fails while an e-mail has users in several organizations: merge or rename them first.
CREATE UNIQUE INDEX users_email_key ON users (email);
