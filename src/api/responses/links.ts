import { z } from 'zod';
import { instant } from './instants';

/** `POST /v1/users/:userId/settings-links`: a signed link to the settings page, valid one hour. */
export const settingsLinkSchema = z.object({ url: z.url(), expiresAt: instant }).meta({
  examples: [{ url: 'https://calsync.example.com/settings?token=v1.dHV0b3ItMTc.Zm9v.c2ln', expiresAt: '2026-04-01T10:00:00.000Z' }],
});

/** `POST /v1/users/:userId/feed-links`: the user's secret iCalendar feed (it replaces the earlier one). */
export const feedLinkSchema = z.object({ url: z.url(), webcalUrl: z.url(), createdAt: instant }).meta({
  examples: [
    {
      url: 'https://calsync.example.com/feeds/q8Zt3mV1xK0pR7wL2sN5.ics',
      webcalUrl: 'webcal://calsync.example.com/feeds/q8Zt3mV1xK0pR7wL2sN5.ics',
      createdAt: '2026-04-01T09:00:00.000Z',
    },
  ],
});
