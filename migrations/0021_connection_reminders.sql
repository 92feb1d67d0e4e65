-- A calendar account's own reminders (`[{"method":"email"|"popup","minutes":n}]`, checked against
-- its provider's limits when set); NULL keeps the deployment's EVENT_REMINDERS.
ALTER TABLE calendar_connections ADD COLUMN reminders jsonb;
