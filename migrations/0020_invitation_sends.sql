-- Every invitation e-mail sent, one row per (booking, recipient, revision, method): the activity
-- that sends checks here first, so a retry after a crash or a lost answer does not mail the same
-- change twice. No address is kept: the booking's projection has the participants.
CREATE TABLE invitation_sends (
  booking_id  text NOT NULL,
  user_id     text NOT NULL,
  revision    integer NOT NULL,
  method      text NOT NULL CHECK (method IN ('REQUEST', 'CANCEL')),
  message_id  text NOT NULL,
  sent_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (booking_id, user_id, revision, method)
);
