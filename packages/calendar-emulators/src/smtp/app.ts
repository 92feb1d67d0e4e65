import express, { type Express } from 'express';
import { escapeHtml } from '../shared/html';
import type { SandboxMessage, SmtpSandboxStore } from './store';

function messageRow(message: SandboxMessage): string {
  const methods = message.calendars.map((c) => c.method ?? c.contentType).join(', ');
  return `<tr><td>${message.id}</td><td>${escapeHtml(message.receivedAt)}</td><td>${escapeHtml(message.envelope.to.join(', '))}</td>
<td>${escapeHtml(message.subject ?? '')}</td><td>${escapeHtml(methods)}</td></tr>`;
}

function listPage(store: SmtpSandboxStore): string {
  const rows = store.list().reverse().map(messageRow).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>SMTP sandbox</title>
<style>body{font:14px system-ui,sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}</style>
</head><body><h1>SMTP sandbox</h1>
<p>Every message this local server accepted, newest first (JSON: <a href="/sandbox/messages">/sandbox/messages</a>). Nothing is delivered anywhere.</p>
<table><tr><th>#</th><th>Received</th><th>To</th><th>Subject</th><th>Calendar parts</th></tr>
${rows || '<tr><td colspan="5">No messages yet.</td></tr>'}
</table></body></html>
`;
}

/**
 * The sandbox's page and control API: `GET /` lists the messages, `GET /sandbox/messages` returns
 * them as JSON, `POST /sandbox/refusals {count}` makes the next deliveries fail temporarily,
 * `POST /sandbox/reset` forgets everything.
 */
export function createSmtpSandboxApp(store: SmtpSandboxStore): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  app.get('/', (_req, res) => {
    res.type('html').send(listPage(store));
  });
  app.get('/sandbox/messages', (_req, res) => {
    res.json({ messages: store.list(), refused: store.refused });
  });
  app.post('/sandbox/refusals', (req, res) => {
    const count = (req.body as { count?: unknown } | undefined)?.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      res.status(400).json({ error: 'count must be a whole number, 0 or more' });
      return;
    }
    store.refuseNext(count);
    res.status(204).end();
  });
  app.post('/sandbox/reset', (_req, res) => {
    store.reset();
    res.status(204).end();
  });
  return app;
}
