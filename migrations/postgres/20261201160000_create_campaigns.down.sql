DROP TABLE samples;
--bun:split
DROP TABLE deliverables;
--bun:split
DROP TABLE enrolment_rates;
--bun:split
DROP TABLE enrolments;
--bun:split
DROP TABLE campaign_plans;
--bun:split
DROP TABLE campaign_products;
--bun:split
DROP TABLE campaigns;
--bun:split
DROP TABLE product_rates;
--bun:split
DROP TABLE products;
