import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { historyEntryText } from '../../src/api/pages/booking-history-section';
import { minutesText, reminderChoices, remindersText } from '../../src/api/pages/calendar-settings-form';
import { formatInstant, localTimeScript, timeElement, timeZoneNote } from '../../src/api/pages/time-format';
import { accountChangeRefusal, remindersOfForm } from '../../src/api/routes/settings-account-forms';
import { settingsLinkBodySchema } from '../../src/api/schemas';
import { SettingsAccess } from '../../src/application/settings-access';
import { Signer } from '../../src/crypto/signer';

describe('times on the settings page', () => {
  it("writes an instant in the link's zone with its offset, else in UTC marked for the browser's zone", () => {
    expect(formatInstant('2030-05-01T15:00:00Z', 'Asia/Kolkata')).toBe('Wed, 1 May 2030, 20:30 GMT+05:30');
    expect(formatInstant('2030-05-01T15:00:00Z')).toBe('Wed, 1 May 2030, 15:00 UTC');
    expect(timeElement('2030-05-01T15:00:00Z', 'Europe/Paris')).toBe(
      '<time datetime="2030-05-01T15:00:00.000Z">Wed, 1 May 2030, 17:00 GMT+02:00</time>',
    );
    expect(timeElement('2030-05-01T15:00:00Z')).toContain('data-local');
    expect(localTimeScript('Europe/Paris')).toBe('');
    expect(localTimeScript()).toMatch(/^<script>.*<\/script>$/s);
  });

  it('names the zone it uses, escaped', () => {
    expect(timeZoneNote('Asia/Kolkata')).toContain('<strong>Asia/Kolkata</strong>');
    expect(timeZoneNote()).toContain('data-zone-name');
  });

  it('takes only IANA zones for a settings link', () => {
    expect(settingsLinkBodySchema.safeParse({ timeZone: 'Europe/Paris' }).success).toBe(true);
    expect(settingsLinkBodySchema.safeParse({}).success).toBe(true);
    for (const timeZone of ['Mars/Olympus', '', 'Europe/Paris<script>', 42])
      expect(settingsLinkBodySchema.safeParse({ timeZone }).success).toBe(false);
    expect(settingsLinkBodySchema.safeParse({ zone: 'UTC' }).success).toBe(false);
  });

  it("carries the link's zone, signed, into the session, its renewals and a window pass", async () => {
    const key = [{ id: 'k', key: randomBytes(32) }];
    const access = new SettingsAccess({
      links: { generation: () => Promise.resolve(0), revoke: () => Promise.resolve(1) },
      linkSigner: new Signer(key, 'settings-link'),
      sessionSigner: new Signer(key, 'settings-session'),
      windowSigner: new Signer(key, 'settings-window'),
    });
    const zoned = await access.exchange((await access.mintLink('u-1', 'Asia/Kolkata')).token);
    expect(zoned?.timeZone).toBe('Asia/Kolkata');
    expect((await access.resume(zoned?.cookie))?.timeZone).toBe('Asia/Kolkata');
    // A framed page's window pass carries the zone into the window it opens.
    expect((await access.openWindow(access.windowPass(zoned!)))?.timeZone).toBe('Asia/Kolkata');
    const plain = await access.exchange((await access.mintLink('u-1')).token);
    expect(plain?.userId).toBe('u-1');
    expect(plain?.timeZone).toBeUndefined();
  });
});

describe('reminders on the settings page', () => {
  it('says how long before in words', () => {
    expect(minutesText(0)).toBe('when it starts');
    expect(minutesText(15)).toBe('15 minutes before');
    expect(minutesText(90)).toBe('1 hour 30 minutes before');
    expect(minutesText(1440)).toBe('1 day before');
    expect(minutesText(40320)).toBe('4 weeks before');
    expect(remindersText(null)).toBe('the default reminders of this service');
    expect(remindersText([])).toBe('no reminders');
    expect(remindersText([{ method: 'email', minutes: 60 }])).toBe('E-mail 1 hour before');
  });

  it("offers what each provider's limits allow", () => {
    expect(reminderChoices('google', 'a@b.test')).toEqual({ methods: ['popup', 'email'], max: 5 });
    expect(reminderChoices('microsoft', 'a@b.test')).toEqual({ methods: ['popup'], max: 1 });
    expect(reminderChoices('caldav', 'ada')).toEqual({ methods: ['popup'], max: 5 });
    expect(reminderChoices('icloud', 'ada@icloud.com')).toEqual({ methods: ['popup', 'email'], max: 5 });
  });

  it('reads the form rows, leaving out empty ones and refusing what is not whole minutes', () => {
    expect(remindersOfForm({ minutes: ['30', '', ' 1440 '], method: ['popup', 'email', 'email'] })).toEqual([
      { method: 'popup', minutes: 30 },
      { method: 'email', minutes: 1440 },
    ]);
    expect(remindersOfForm({ minutes: '5', method: 'popup' })).toEqual([{ method: 'popup', minutes: 5 }]);
    expect(remindersOfForm({ minutes: ['', ''], method: ['popup', 'popup'] })).toEqual([]);
    expect(remindersOfForm({})).toEqual([]);
    expect(remindersOfForm({ minutes: ['40321'], method: ['popup'] })).toMatch(/^Reminder 1: enter whole minutes/);
    expect(remindersOfForm({ minutes: ['', '1.5'], method: ['popup', 'popup'] })).toMatch(/^Reminder 2:/);
    expect(remindersOfForm({ minutes: ['-1'], method: ['popup'] })).toMatch(/^Reminder 1:/);
    expect(remindersOfForm({ minutes: ['10'], method: ['sms'] })).toMatch(/^Reminder 1: choose how/);
  });

  it("tells the user why a change was refused, another user's calendar as not found", () => {
    expect(accountChangeRefusal({ code: 'account_not_found', userId: 'u', accountId: 'a' })).toEqual({
      status: 404,
      text: 'That calendar is not one of yours: nothing was changed.',
    });
    expect(accountChangeRefusal({ code: 'reminders_not_supported', message: 'outlook allows one reminder per event' })).toEqual({
      status: 400,
      text: 'Outlook allows one reminder per event: nothing was changed.',
    });
    expect(accountChangeRefusal({ code: 'calendar_not_writable', calendarName: 'Holidays' }).status).toBe(400);
    expect(accountChangeRefusal({ code: 'provider_unavailable', detail: 'secret detail' }).text).not.toContain('secret detail');
  });
});

describe('booking history on the settings page', () => {
  const common = { at: '2030-01-01T00:00:00Z', userId: 'u', connectionId: 'c', provider: 'google' };
  it('words each kind of entry', () => {
    expect(historyEntryText({ kind: 'calendar', ...common, operation: 'create', outcome: 'ok', revision: 1 })).toBe(
      'Added to Google Calendar',
    );
    expect(
      historyEntryText({ kind: 'calendar', ...common, operation: 'update', outcome: 'retrying', revision: 2, detail: 'rate limited' }),
    ).toBe('Updating it in Google Calendar failed, it will be tried again: rate limited');
    expect(historyEntryText({ kind: 'calendar', ...common, operation: 'create', outcome: 'needs_reauth', revision: 1 })).toBe(
      'Adding it to Google Calendar stopped: the calendar needs reconnecting',
    );
    expect(historyEntryText({ kind: 'external_edit', ...common, operation: 'external_move', outcome: 'ok' })).toBe(
      'You moved the event in Google Calendar',
    );
    expect(
      historyEntryText({
        kind: 'notification',
        at: common.at,
        notificationId: 'n',
        type: 'booking.sync_failed',
        status: 'delivered',
        attempts: 1,
        data: {},
      }),
    ).toBe('Your booking app was told a calendar could not be updated (delivered)');
    expect(historyEntryText({ kind: 'invitation', at: common.at, userId: 'u', method: 'CANCEL', revision: 3 })).toBe(
      'Cancellation e-mailed to you',
    );
  });
});
