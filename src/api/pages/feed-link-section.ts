import type { FeedLink } from '../../application/calendar-feeds';
import { escapeHtml } from './layout';
import { timeElement } from './time-format';

/**
 * The copy buttons' handler: selects the field (so the link can still be copied by hand where
 * the clipboard API is unavailable) and copies the button's `data-copy`. Allowed by its hash in
 * the Content-Security-Policy (see http-hardening.ts), like the disconnect confirmation.
 */
export const COPY_LINK_HANDLER =
  "this.previousElementSibling.select(); navigator.clipboard.writeText(this.dataset.copy).then(() => { this.textContent = 'Copied'; })";

export interface FeedLinkView {
  /** When the user's current link was created; null without one. */
  createdAt: Date | null;
  /** A link created by this request: shown this once, since only its hash is kept. */
  created?: FeedLink;
  /** The zone times are shown in; absent: the browser's (see time-format.ts). */
  timeZone?: string;
}

function copyField(id: string, label: string, value: string): string {
  return `<label for="${id}">${label}</label>
<div class="row"><input id="${id}" class="grow" style="width:auto" readonly value="${escapeHtml(value)}"><button type="button" data-copy="${escapeHtml(value)}" onclick="${COPY_LINK_HANDLER}">Copy</button></div>`;
}

/** The link just created, with how to add it to the common calendar apps. */
function createdLink(link: FeedLink): string {
  return `<div data-feed-link="created">
<p><strong>Your subscription link.</strong> It is shown only now: copy it before you leave this page. Anyone who has it can see your bookings, so keep it private.</p>
${copyField('feed-https', 'Link (https)', link.url)}
${copyField('feed-webcal', 'Link for calendar apps (webcal)', link.webcalUrl)}
<h3>Add it to your calendar</h3>
<ul>
  <li><strong>Google Calendar</strong> (on the web): Settings → Add calendar → From URL, paste the https link, then Add calendar.</li>
  <li><strong>Outlook</strong> (outlook.com or Microsoft 365 on the web): Calendar → Add calendar → Subscribe from web, paste the https link, then Import.</li>
  <li><strong>Apple Calendar</strong> (Mac, iPhone, iPad): <a href="${escapeHtml(link.webcalUrl)}">open the webcal link</a> on the device, or on a Mac choose File → New Calendar Subscription and paste it; on an iPhone: Settings → Calendar → Accounts → Add Account → Other → Add Subscribed Calendar.</li>
</ul>
<p class="muted">Calendar apps refresh subscriptions on their own schedule, from every few minutes to about a day (Google and Outlook are the slowest).</p>
</div>`;
}

/** "Subscribe from any calendar app": create (or replace) and revoke the user's calendar feed link. */
export function feedLinkSection(view: FeedLinkView): string {
  const current = view.created
    ? createdLink(view.created)
    : view.createdAt
      ? `<p data-feed-link="active">You have a subscription link, created ${timeElement(view.createdAt.toISOString(), view.timeZone)}. It is shown only once, when it is created: if you need it again, create a new one (the old one then stops working).</p>`
      : '<p data-feed-link="none">No subscription link yet.</p>';
  const revoke =
    view.createdAt || view.created
      ? '<form method="post" action="/settings/feed-link/revoke"><button class="danger" type="submit">Revoke link</button></form>'
      : '';
  return `<h2>Subscribe from any calendar app</h2>
<div class="card" id="feed-link">
<p class="muted">Without connecting a calendar, you can subscribe to a private link instead: your bookings appear in Google Calendar, Outlook or Apple Calendar and follow their changes.</p>
${current}
<div class="row"><form method="post" action="/settings/feed-link"><button class="primary" type="submit">${view.createdAt || view.created ? 'Create a new subscription link' : 'Create subscription link'}</button></form>${revoke}</div>
</div>`;
}
