ALTER TABLE creators DROP COLUMN payout_holder;
--bun:split
ALTER TABLE creators DROP COLUMN payout_account;
--bun:split
ALTER TABLE creators DROP COLUMN payout_method;
--bun:split
DROP TABLE payout_items;
--bun:split
DROP TABLE payouts;
