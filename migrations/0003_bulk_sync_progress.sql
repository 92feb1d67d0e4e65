-- Progress of the latest bulk sync into this calendar: {state, total, done, startedAt, finishedAt}.
ALTER TABLE calendar_connections ADD COLUMN bulk_sync jsonb;
