DROP TABLE click_secrets;
--bun:split
DROP TABLE clicks;
--bun:split
DROP TABLE promo_codes;
--bun:split
DROP TABLE links;
