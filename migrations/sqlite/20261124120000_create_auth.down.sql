DROP TABLE audit_log;
--bun:split
DROP TABLE rate_limits;
--bun:split
DROP TABLE signing_keys;
--bun:split
DROP TABLE api_keys;
--bun:split
DROP TABLE refresh_tokens;
--bun:split
DROP TABLE sessions;
--bun:split
DROP TABLE users;
--bun:split
DROP TABLE organizations;
