-- GET /v1/bookings/:id/history reads a booking's notifications beside its sync_log rows (which
-- sync_log_booking_idx already serves); notifications name their booking only inside `data`.
CREATE INDEX notifications_booking_idx ON notifications ((data ->> 'bookingId'), created_at);

-- GET /v1/users/:userId/bookings pages through a user's bookings by start time.
CREATE INDEX bookings_start_id_idx ON bookings (start_at, booking_id);
