-- Every link's clicks of all time, by kind, kept by the click writer in the transaction that writes
-- the clicks (raw clicks rolled up into click_days stay counted here). The links list reads a link's
-- clicks from here instead of counting them through clicks_link_idx, which is dropped: clicks arrive
-- spread over every link, so that index took each batch of clicks in as many places as there are
-- busy links: about a third of the click writer's time (BenchmarkFlush in internal/tracking).
CREATE TABLE link_clicks (
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    link_id    TEXT NOT NULL,
    counted    BIGINT NOT NULL DEFAULT 0,
    bots       BIGINT NOT NULL DEFAULT 0,
    duplicates BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, link_id),
    FOREIGN KEY (org_id, link_id) REFERENCES links (org_id, id)
);
--bun:split
INSERT INTO link_clicks (org_id, link_id, counted, bots, duplicates)
SELECT org_id, link_id, SUM(counted), SUM(bots), SUM(duplicates)
FROM (
    SELECT org_id, link_id,
        CASE WHEN kind = 'counted' THEN 1 ELSE 0 END AS counted,
        CASE WHEN kind = 'bot' THEN 1 ELSE 0 END AS bots,
        CASE WHEN kind <> 'counted' AND kind <> 'bot' THEN 1 ELSE 0 END AS duplicates
    FROM clicks
    UNION ALL
    SELECT org_id, link_id, counted, bots, duplicates FROM click_days
) c
GROUP BY org_id, link_id;
--bun:split
DROP INDEX clicks_link_idx;
