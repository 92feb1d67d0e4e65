-- Which of the account's calendars holds the event (users can choose another calendar later).
ALTER TABLE calendar_events ADD COLUMN calendar_id text;
