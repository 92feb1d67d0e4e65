-- CalDAV/iCloud: the account's app password (sealed like tokens) and the server it was found on.
ALTER TABLE calendar_connections ADD COLUMN password_enc text;
ALTER TABLE calendar_connections ADD COLUMN server_url text;
