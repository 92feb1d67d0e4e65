import type { z } from 'zod';
import {
  hasDistinctUserIds,
  instantMillis,
  isHttpUrl,
  isMultiLineText,
  isSingleLineText,
  isTimeZone,
  timesProblem,
} from '../domain/booking-input-rules';
import type {
  bookingDetailsSchema,
  bookingWorkflowInputSchema,
  cancelChangeSchema,
  rescheduleChangeSchema,
} from '../domain/booking-input-schemas';
import { isTemplateText, parseTemplate, withinTemplateRoles } from '../domain/template-syntax';

/**
 * The rules of src/domain/booking-input-schemas.ts that JSON Schema cannot say, applied after a
 * generated validator has accepted a value's shape: the same functions the API's schemas call in
 * their `.refine`s (booking-input-rules.ts, template-syntax.ts). All of them are checked here, not
 * only those the workflow itself reads (times: its keep-open timer; distinct userIds: its calendar
 * and invitation lanes): the others (text without control characters, templates that parse, a
 * known time zone, an http(s) meeting link) are read by the activities that render events and
 * invitations, which trust what the workflow hands them.
 *
 * The API's alone: zod's transforms, and what it checks after them. Single-line text is trimmed
 * (and must then not be empty) and line breaks become LF; the API sends the workflows its parsed
 * output, so those values arrive trimmed and with LF. A value sent by another way than the API is
 * taken as sent, which is safe: untrimmed or blank single-line text still holds no control
 * character, and CRLF is a line break the multi-line rule allows before the transform too.
 */

export interface InputIssue {
  /** Dotted path of the field, '' for the whole input. */
  path: string;
  /** What kind of problem: never the value (it may be personal data). */
  kind: string;
}

type BookingDetails = z.output<typeof bookingDetailsSchema>;
type Participants = ReadonlyArray<{ userId: string; name: string }>;

const at = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);

class Issues {
  readonly list: InputIssue[] = [];
  check(ok: boolean, path: string, kind: string): void {
    if (!ok) this.list.push({ path, kind });
  }
  text(value: string | undefined, path: string, multiLine: boolean): void {
    if (value !== undefined) this.check(multiLine ? isMultiLineText(value) : isSingleLineText(value), path, 'control_characters');
  }
  instant(value: string, path: string): void {
    this.check(instantMillis(value) !== undefined, path, 'instant');
  }
  times(value: { start: string; end: string }, path: string): void {
    this.check(timesProblem(value) === undefined, at(path, 'end'), 'times');
  }
  timeZone(value: string | undefined, path: string): void {
    if (value !== undefined) this.check(isTimeZone(value), path, 'time_zone');
  }
}

function participantIssues(issues: Issues, participants: Participants, path: string): void {
  participants.forEach((p, i) => issues.text(p.name, at(at(path, i), 'name'), false));
  issues.check(hasDistinctUserIds(participants), path, 'duplicate_user_ids');
}

function templateIssues(issues: Issues, templates: NonNullable<BookingDetails['templates']>, path: string): void {
  issues.check(withinTemplateRoles(templates), path, 'too_many_roles');
  for (const [role, template] of Object.entries(templates)) {
    for (const [field, multiLine] of [
      ['title', false],
      ['description', true],
    ] as const) {
      const text = template[field];
      if (text === undefined) continue;
      const fieldPath = at(at(path, role), field);
      issues.check(isTemplateText(text, multiLine), fieldPath, 'control_characters');
      issues.check(parseTemplate(text).ok, fieldPath, 'template');
    }
  }
}

function detailsIssues(issues: Issues, d: Omit<BookingDetails, 'participants'> & { participants: Participants }, path: string): void {
  issues.text(d.title, at(path, 'title'), false);
  issues.text(d.description, at(path, 'description'), true);
  issues.instant(d.start, at(path, 'start'));
  issues.instant(d.end, at(path, 'end'));
  issues.timeZone(d.timeZone, at(path, 'timeZone'));
  issues.text(d.location, at(path, 'location'), false);
  if (d.meetingUrl !== undefined) issues.check(isHttpUrl(d.meetingUrl), at(path, 'meetingUrl'), 'http_url');
  participantIssues(issues, d.participants, at(path, 'participants'));
  if (d.templates !== undefined) templateIssues(issues, d.templates, at(path, 'templates'));
  issues.times(d, path);
}

export function confirmChangeIssues(v: { booking: BookingDetails }): InputIssue[] {
  const issues = new Issues();
  detailsIssues(issues, v.booking, 'booking');
  return issues.list;
}

export function rescheduleChangeIssues(v: z.output<typeof rescheduleChangeSchema>): InputIssue[] {
  const issues = new Issues();
  issues.instant(v.start, 'start');
  issues.instant(v.end, 'end');
  issues.timeZone(v.timeZone, 'timeZone');
  issues.times(v, '');
  return issues.list;
}

export function cancelChangeIssues(v: z.output<typeof cancelChangeSchema>): InputIssue[] {
  const issues = new Issues();
  issues.text(v.reason, 'reason', true);
  return issues.list;
}

/** What continue-as-new carries was checked when it arrived; checked again as any start input is. */
export function bookingWorkflowInputIssues(v: z.output<typeof bookingWorkflowInputSchema>): InputIssue[] {
  const issues = new Issues();
  const desired = v.carried?.desired;
  if (desired) {
    detailsIssues(issues, desired.details, 'carried.desired.details');
    issues.text(desired.cancelReason, 'carried.desired.cancelReason', true);
  }
  return issues.list;
}
