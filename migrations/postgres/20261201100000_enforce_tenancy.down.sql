ALTER TABLE creator_events DROP CONSTRAINT creator_events_creator_fkey,
    ADD CONSTRAINT creator_events_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES creators (id);
--bun:split
ALTER TABLE account_snapshots DROP CONSTRAINT account_snapshots_account_fkey,
    ADD CONSTRAINT account_snapshots_account_id_fkey FOREIGN KEY (account_id) REFERENCES creator_accounts (id);
--bun:split
ALTER TABLE creator_accounts DROP CONSTRAINT creator_accounts_creator_fkey,
    ADD CONSTRAINT creator_accounts_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES creators (id);
--bun:split
ALTER TABLE creator_tags DROP CONSTRAINT creator_tags_creator_fkey,
    ADD CONSTRAINT creator_tags_creator_id_fkey FOREIGN KEY (creator_id) REFERENCES creators (id);
--bun:split
ALTER TABLE creators DROP CONSTRAINT creators_owner_fkey,
    ADD CONSTRAINT creators_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users (id);
--bun:split
ALTER TABLE creators DROP CONSTRAINT creators_agency_fkey,
    ADD CONSTRAINT creators_agency_id_fkey FOREIGN KEY (agency_id) REFERENCES agencies (id);
--bun:split
ALTER TABLE api_keys DROP CONSTRAINT api_keys_created_by_fkey,
    ADD CONSTRAINT api_keys_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id);
--bun:split
ALTER TABLE sessions DROP CONSTRAINT sessions_user_fkey,
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
--bun:split
ALTER TABLE creator_events DROP CONSTRAINT creator_events_org_id_id_key;
--bun:split
ALTER TABLE creator_accounts DROP CONSTRAINT creator_accounts_org_id_id_key;
--bun:split
ALTER TABLE creators DROP CONSTRAINT creators_org_id_id_key;
--bun:split
ALTER TABLE agencies DROP CONSTRAINT agencies_org_id_id_key;
--bun:split
ALTER TABLE api_keys DROP CONSTRAINT api_keys_org_id_id_key;
--bun:split
ALTER TABLE sessions DROP CONSTRAINT sessions_org_id_id_key;
--bun:split
ALTER TABLE users DROP CONSTRAINT users_org_id_id_key;
