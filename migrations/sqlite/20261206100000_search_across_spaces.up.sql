-- PostgreSQL's trigram indexes now hold names and e-mails with spaces swapped for a letter (see the
-- PostgreSQL migration of the same id); SQLite's FTS5 trigrams already span spaces. This migration
-- keeps the two folders' ids in step.
SELECT 1;
