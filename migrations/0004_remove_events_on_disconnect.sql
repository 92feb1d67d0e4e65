-- Set while a disconnect with removeEvents=true is deleting this service's events from the calendar.
ALTER TABLE calendar_connections ADD COLUMN removing_events boolean NOT NULL DEFAULT false;
