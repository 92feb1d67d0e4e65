import { Router } from 'express';
import type { CalendarFeeds } from '../../application/calendar-feeds';
import { idSchema } from '../schemas';
import { feedLinkSchema } from '../responses/links';
import { sendJson } from '../send-json';
import { parseParam } from '../validate';

const userIdSchema = idSchema('userId');

/** Whether `If-None-Match` names this ETag (weak comparison, as RFC 9110 asks for it) or is `*`. */
function matchesNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/** Feed links (API key, under /v1/users) and the feeds themselves (the token in the path is the credential). */
export function calendarFeedRoutes(feeds: CalendarFeeds): Router {
  const router = Router();

  router.post('/v1/users/:userId/feed-links', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const link = await feeds.createLink(userId);
    sendJson(res, 201, feedLinkSchema, { url: link.url, webcalUrl: link.webcalUrl, createdAt: link.createdAt.toISOString() });
  });

  router.delete('/v1/users/:userId/feed-links', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    await feeds.revokeLink(userId);
    res.status(204).end();
  });

  router.get('/feeds/:token.ics', async (req, res) => {
    const feed = await feeds.feed(req.params.token);
    // Unknown, revoked and malformed tokens look alike.
    if (!feed) {
      res.status(404).set('Cache-Control', 'no-store').type('text/plain').send('not found');
      return;
    }
    res.set({ ETag: feed.etag, 'Cache-Control': 'private, max-age=300', 'Content-Type': 'text/calendar; charset=utf-8' });
    if (matchesNoneMatch(req.get('If-None-Match'), feed.etag)) {
      res.status(304).end();
      return;
    }
    res.send(feed.body);
  });

  return router;
}
