import { createHash, randomBytes } from 'node:crypto';
import type { FeedLinkStore } from '../db/feed-links';
import type { EventTemplates } from '../domain/event-templates';
import { buildFeedIcs } from '../events/feed-ics';
import type { Reminder } from '../events/reminders';

/** 32 random bytes, base64url without padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Cancelled bookings stay in the feed this long (as STATUS:CANCELLED) so subscribers see the cancellation. */
const CANCELLED_DAYS = 7;
/** A feed lists at most this many bookings, the soonest first. */
export const FEED_MAX_EVENTS = 1000;

export interface FeedLink {
  url: string;
  webcalUrl: string;
  createdAt: Date;
}

export interface Feed {
  body: string;
  /** Strong ETag: a hash of the body. */
  etag: string;
}

export interface CalendarFeedsDeps {
  links: FeedLinkStore;
  publicBaseUrl: string;
  reminders: Reminder[];
  /** EVENT_TEMPLATES: the same text as the calendars get. */
  templates?: EventTemplates;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest();

/** Secret per-user calendar feed links (one active link per user) and the feeds they open. */
export class CalendarFeeds {
  private readonly uidHost: string;

  constructor(private readonly deps: CalendarFeedsDeps) {
    this.uidHost = new URL(deps.publicBaseUrl).hostname;
  }

  /** A new link for the user; any earlier link stops working. Only the token's hash is stored. */
  async createLink(userId: string): Promise<FeedLink> {
    const token = randomBytes(32).toString('base64url');
    const createdAt = await this.deps.links.replace(userId, hashOf(token));
    const url = `${this.deps.publicBaseUrl}/feeds/${token}.ics`;
    return { url, webcalUrl: url.replace(/^https?:/, 'webcal:'), createdAt };
  }

  /** When the user's current link was created, null without one (the link itself cannot be shown again). */
  linkCreatedAt(userId: string): Promise<Date | null> {
    return this.deps.links.createdAt(userId);
  }

  async revokeLink(userId: string): Promise<void> {
    await this.deps.links.revoke(userId);
  }

  /** The feed a token opens; null for a malformed, unknown or revoked token (no reason given). */
  async feed(token: string): Promise<Feed | null> {
    // Checked before hashing: the shape bounds the work an arbitrary path can cause.
    if (!TOKEN_PATTERN.test(token)) return null;
    const userId = await this.deps.links.userFor(hashOf(token));
    if (userId === null) return null;
    const bookings = await this.deps.links.bookingsFor(userId, CANCELLED_DAYS, FEED_MAX_EVENTS);
    const body = buildFeedIcs({
      userId,
      bookings,
      reminders: this.deps.reminders,
      templates: this.deps.templates,
      uidHost: this.uidHost,
    });
    return { body, etag: `"${createHash('sha256').update(body).digest('base64url')}"` };
  }
}
