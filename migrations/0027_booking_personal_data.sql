-- A booking's personal data (title, description, location, meeting URL, participants with their
-- names and e-mail addresses, cancel reason, templates) sealed in one column, like tokens (see
-- src/db/booking-personal-data.ts): `personal_enc`, bound to the booking id. What queries need
-- stays in clear and names nobody: ids, times, status, revision, and who asked for no sync.
-- SQL cannot seal, so rows recorded before this migration keep their clear columns until the
-- service seals them at start-up (src/db/seal-clear-bookings.ts), which also empties the clear
-- columns; from then on they are written NULL. A row holds one shape or the other.
ALTER TABLE bookings
  ADD COLUMN personal_enc text,
  -- Participants with `sync: false`: the calendar feed leaves the booking out for them.
  ADD COLUMN unsynced_user_ids text[] NOT NULL DEFAULT '{}',
  ALTER COLUMN title DROP NOT NULL,
  ALTER COLUMN participants DROP NOT NULL;

UPDATE bookings
   SET unsynced_user_ids = ARRAY(SELECT p ->> 'userId' FROM jsonb_array_elements(participants) p WHERE p -> 'sync' = 'false'::jsonb)
 WHERE participants IS NOT NULL;

ALTER TABLE bookings ADD CONSTRAINT bookings_personal_data_kept CHECK (personal_enc IS NOT NULL OR title IS NOT NULL);
