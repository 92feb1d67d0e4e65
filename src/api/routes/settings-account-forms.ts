import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { AccountChange, CalendarAccountError, CalendarAccounts } from '../../application/calendar-accounts';
import type { SettingsSession } from '../../application/settings-access';
import type { Reminder } from '../../events/reminders';
import { patchAccountBodySchema } from '../schemas';

export interface AccountFormDeps {
  accounts: Pick<CalendarAccounts, 'update'>;
  /** The urlencoded body parser of the settings forms. */
  forms: RequestHandler;
  settingsUrl: string;
  /** The session (its cookie renewed), or undefined after answering 401. */
  sessionOf(req: Request, res: Response): Promise<SettingsSession | undefined>;
  /** Answers with the settings page and a banner saying what was refused. */
  refuse(req: Request, res: Response, session: SettingsSession, status: number, text: string): Promise<void>;
}

/** Why a form was refused: the HTTP status and what the user is told. */
interface Refusal {
  status: number;
  text: string;
}

/** What a change the page asked for is refused with, for the user. */
export function accountChangeRefusal(error: CalendarAccountError): Refusal {
  if (error.code === 'account_not_found') return { status: 404, text: 'That calendar is not one of yours: nothing was changed.' };
  if (error.code === 'account_disconnected') return { status: 409, text: 'That calendar was disconnected: nothing was changed.' };
  if (error.code === 'account_needs_reauth')
    return { status: 409, text: 'This calendar needs reconnecting before its settings can change: nothing was changed.' };
  if (error.code === 'account_error') return { status: 409, text: `${error.message} Nothing was changed.` };
  if (error.code === 'provider_unavailable')
    return { status: 502, text: 'The calendar provider did not answer: nothing was changed. Please try again in a moment.' };
  if (error.code === 'calendar_not_found')
    return { status: 400, text: 'That calendar is not in this account any more: nothing was changed. Reload the page and choose again.' };
  if (error.code === 'calendar_not_writable')
    return { status: 400, text: `Events cannot be added to "${error.calendarName}" (it is read-only): nothing was changed.` };
  if (error.code === 'busy_calendar_not_found')
    return { status: 400, text: 'One of the calendars checked is not in this account any more: nothing was changed. Reload the page.' };
  if (error.code === 'reminders_not_supported') return { status: 400, text: `${sentence(error.message)}: nothing was changed.` };
  return { status: 400, text: 'That change could not be made: nothing was changed.' };
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const INCOMPLETE = 'That request was incomplete: nothing was changed. Reload the page and try again.';
const MAX_MINUTES = 40320;

/** A form field sent once or repeated, as a list (urlencoded repeats become arrays). */
function many(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const connectionField = z.object({ connectionId: z.uuid() });
const calendarForm = connectionField.extend({ calendarId: z.string().min(1).max(1024) });
const syncForm = connectionField.extend({ syncEnabled: z.enum(['true', 'false']) });
const choiceForm = connectionField.extend({ choice: z.enum(['chosen', 'default']) });

/**
 * The reminder rows of the form: rows whose minutes are empty are left out; the others must be
 * whole minutes up to four weeks, each with a method. A string is what to tell the user.
 */
export function remindersOfForm(body: Record<string, unknown>): Reminder[] | string {
  const minutes = many(body.minutes);
  const methods = many(body.method);
  const reminders: Reminder[] = [];
  for (const [i, raw] of minutes.entries()) {
    const text = raw.trim();
    if (text === '') continue;
    if (!/^\d{1,5}$/.test(text) || Number(text) > MAX_MINUTES)
      return `Reminder ${i + 1}: enter whole minutes from 0 to ${MAX_MINUTES} (four weeks). Nothing was changed.`;
    const method = methods[i];
    if (method !== 'popup' && method !== 'email') return `Reminder ${i + 1}: choose how you are reminded. Nothing was changed.`;
    reminders.push({ method, minutes: Number(text) });
  }
  return reminders;
}

/**
 * The settings page's forms for one calendar account: the calendar events go to, sync on or
 * off, the calendars that count for conflicts, the reminders. Each goes through the same
 * `CalendarAccounts.update` as PATCH /v1/users/:userId/connections/:id, for the session's user
 * only: another user's connection id is refused (404) and left untouched.
 */
export function settingsAccountFormRoutes(deps: AccountFormDeps): Router {
  const router = Router();

  /** Checks the change against the API's own body schema, then applies it for the session user. */
  const apply = async (
    req: Request,
    res: Response,
    session: SettingsSession,
    connectionId: string,
    change: AccountChange,
    done: string,
  ) => {
    if (!patchAccountBodySchema.safeParse(change).success) return deps.refuse(req, res, session, 400, INCOMPLETE);
    const result = await deps.accounts.update(session.userId, connectionId, change);
    if (!result.ok) {
      const refusal = accountChangeRefusal(result.error);
      return deps.refuse(req, res, session, refusal.status, refusal.text);
    }
    res.redirect(303, `${deps.settingsUrl}?status=${done}`);
  };

  router.post('/settings/calendar', deps.forms, async (req, res) => {
    const session = await deps.sessionOf(req, res);
    if (!session) return;
    const form = calendarForm.safeParse(req.body);
    if (!form.success) return deps.refuse(req, res, session, 400, INCOMPLETE);
    await apply(req, res, session, form.data.connectionId, { calendarId: form.data.calendarId }, 'calendar_changed');
  });

  router.post('/settings/sync', deps.forms, async (req, res) => {
    const session = await deps.sessionOf(req, res);
    if (!session) return;
    const form = syncForm.safeParse(req.body);
    if (!form.success) return deps.refuse(req, res, session, 400, INCOMPLETE);
    const on = form.data.syncEnabled === 'true';
    await apply(req, res, session, form.data.connectionId, { syncEnabled: on }, on ? 'sync_on' : 'sync_off');
  });

  router.post('/settings/busy-calendars', deps.forms, async (req, res) => {
    const session = await deps.sessionOf(req, res);
    if (!session) return;
    const form = choiceForm.safeParse(req.body);
    if (!form.success) return deps.refuse(req, res, session, 400, INCOMPLETE);
    const chosen = many((req.body as Record<string, unknown>).busyCalendarIds);
    if (form.data.choice === 'chosen' && chosen.length === 0)
      return deps.refuse(req, res, session, 400, 'Check at least one calendar whose busy times count for conflicts: nothing was changed.');
    const busyCalendarIds = form.data.choice === 'default' ? null : chosen;
    await apply(req, res, session, form.data.connectionId, { busyCalendarIds }, 'busy_saved');
  });

  router.post('/settings/reminders', deps.forms, async (req, res) => {
    const session = await deps.sessionOf(req, res);
    if (!session) return;
    const form = choiceForm.safeParse(req.body);
    if (!form.success) return deps.refuse(req, res, session, 400, INCOMPLETE);
    const reminders = form.data.choice === 'default' ? null : remindersOfForm(req.body as Record<string, unknown>);
    if (typeof reminders === 'string') return deps.refuse(req, res, session, 400, reminders);
    await apply(req, res, session, form.data.connectionId, { reminders }, 'reminders_saved');
  });

  return router;
}
