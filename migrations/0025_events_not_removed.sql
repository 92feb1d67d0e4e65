-- What a disconnect with removeEvents=true could not remove (the account could not be written any
-- more, or the provider refused a delete): `{"at": <iso>, "events": [{"bookingId", "start", "reason"}]}`,
-- set when the disconnect finishes; NULL when no removal was asked.
ALTER TABLE calendar_connections ADD COLUMN events_not_removed jsonb;
