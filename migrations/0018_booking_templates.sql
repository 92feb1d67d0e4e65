-- A booking's own event templates (the confirm body's `templates`), so calendar feeds render its
-- events as the calendars do; NULL when the booking has none.
ALTER TABLE bookings ADD COLUMN templates jsonb;
