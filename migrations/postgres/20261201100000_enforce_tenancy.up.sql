-- Tenancy in the schema: every tenant table is UNIQUE (org_id, id), and every reference from one
-- tenant row to another is a composite foreign key (org_id, x_id) → x (org_id, id), so a row can
-- never point into another organization, whatever a query forgets.
ALTER TABLE users ADD CONSTRAINT users_org_id_id_key UNIQUE (org_id, id);
--bun:split
ALTER TABLE sessions ADD CONSTRAINT sessions_org_id_id_key UNIQUE (org_id, id);
--bun:split
ALTER TABLE api_keys ADD CONSTRAINT api_keys_org_id_id_key UNIQUE (org_id, id);
--bun:split
ALTER TABLE agencies ADD CONSTRAINT agencies_org_id_id_key UNIQUE (org_id, id);
--bun:split
ALTER TABLE creators ADD CONSTRAINT creators_org_id_id_key UNIQUE (org_id, id);
--bun:split
ALTER TABLE creator_accounts ADD CONSTRAINT creator_accounts_org_id_id_key UNIQUE (org_id, id);
--bun:split
ALTER TABLE creator_events ADD CONSTRAINT creator_events_org_id_id_key UNIQUE (org_id, id);
--bun:split
ALTER TABLE sessions DROP CONSTRAINT sessions_user_id_fkey,
    ADD CONSTRAINT sessions_user_fkey FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id);
--bun:split
ALTER TABLE api_keys DROP CONSTRAINT api_keys_created_by_fkey,
    ADD CONSTRAINT api_keys_created_by_fkey FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id);
--bun:split
ALTER TABLE creators DROP CONSTRAINT creators_agency_id_fkey,
    ADD CONSTRAINT creators_agency_fkey FOREIGN KEY (org_id, agency_id) REFERENCES agencies (org_id, id);
--bun:split
ALTER TABLE creators DROP CONSTRAINT creators_owner_id_fkey,
    ADD CONSTRAINT creators_owner_fkey FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id);
--bun:split
ALTER TABLE creator_tags DROP CONSTRAINT creator_tags_creator_id_fkey,
    ADD CONSTRAINT creator_tags_creator_fkey FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id);
--bun:split
ALTER TABLE creator_accounts DROP CONSTRAINT creator_accounts_creator_id_fkey,
    ADD CONSTRAINT creator_accounts_creator_fkey FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id);
--bun:split
ALTER TABLE account_snapshots DROP CONSTRAINT account_snapshots_account_id_fkey,
    ADD CONSTRAINT account_snapshots_account_fkey FOREIGN KEY (org_id, account_id) REFERENCES creator_accounts (org_id, id);
--bun:split
ALTER TABLE creator_events DROP CONSTRAINT creator_events_creator_id_fkey,
    ADD CONSTRAINT creator_events_creator_fkey FOREIGN KEY (org_id, creator_id) REFERENCES creators (org_id, id);
