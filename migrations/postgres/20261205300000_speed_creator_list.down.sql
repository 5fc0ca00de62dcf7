ALTER INDEX IF EXISTS creators_email_trgm_idx RESET (gin_pending_list_limit);
--bun:split
ALTER INDEX IF EXISTS creators_name_trgm_idx RESET (gin_pending_list_limit);
