import { DateTime } from 'luxon';
import type { BookingDetails } from '../domain/booking';
import { parseTemplate, type EventTemplate, type EventTemplates, type Placeholder, type TemplateNode } from '../domain/event-templates';

/** What every event showed before templates existed; any role or field without a template of its own uses it. */
export const DEFAULT_TEMPLATE: Required<EventTemplate> = {
  title: '{{title}}{{#others}} with {{others}}{{/others}}',
  description: [
    '{{othersWithRoles}}',
    '{{#meetingUrl}}Join: {{meetingUrl}}{{/meetingUrl}}',
    '{{#location}}Location: {{location}}{{/location}}',
    '{{#description}}\n{{description}}{{/description}}',
  ].join('\n'),
};

export type TemplateValues = Record<Placeholder, string>;

function roleLabel(role: string): string {
  return role.charAt(0).toUpperCase() + role.slice(1);
}

/** The placeholders' values for one participant's event; times in the booking's own zone. */
export function templateValues(bookingId: string, booking: BookingDetails, forUserId: string): TemplateValues {
  const me = booking.participants.find((p) => p.userId === forUserId);
  const others = booking.participants.filter((p) => p.userId !== forUserId);
  const at = (iso: string) => DateTime.fromISO(iso, { zone: booking.timeZone, locale: 'en-GB' });
  const start = at(booking.start);
  const end = at(booking.end);
  return {
    title: booking.title,
    description: booking.description ?? '',
    bookingId,
    meetingUrl: booking.meetingUrl ?? '',
    location: booking.location ?? '',
    name: me?.name ?? '',
    role: me?.role ?? '',
    others: others.map((p) => p.name).join(', '),
    othersWithRoles: others.map((p) => `${roleLabel(p.role)}: ${p.name}`).join('\n'),
    participants: booking.participants.map((p) => p.name).join(', '),
    start: start.toFormat('yyyy-MM-dd HH:mm'),
    end: end.toFormat('yyyy-MM-dd HH:mm'),
    date: start.toFormat('cccc d LLLL yyyy'),
    startTime: start.toFormat('HH:mm'),
    endTime: end.toFormat('HH:mm'),
    timeZone: booking.timeZone,
  };
}

function renderNodes(nodes: TemplateNode[], values: TemplateValues): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'value') out += values[node.name];
    else if ((values[node.name] !== '') !== node.inverted) out += renderNodes(node.children, values);
  }
  return out;
}

/** The template's top-level lines: split at its own line breaks (a section stays on the line it opens). */
function lines(nodes: TemplateNode[]): TemplateNode[][] {
  const result: TemplateNode[][] = [[]];
  for (const node of nodes) {
    if (node.kind !== 'text') {
      result.at(-1)!.push(node);
      continue;
    }
    const parts = node.text.split('\n');
    parts.forEach((text, i) => {
      if (i > 0) result.push([]);
      if (text !== '') result.at(-1)!.push({ kind: 'text', text });
    });
  }
  return result;
}

/**
 * Renders a template. A line of the template that has placeholders and comes out empty is left
 * out with its line break, so optional parts need no blank lines around them; lines that are
 * blank in the template stay.
 */
export function renderTemplate(source: string, values: TemplateValues): string {
  const parsed = parseTemplate(source);
  // Templates are validated where they come in (configuration, API, signals), so this is never taken.
  if (!parsed.ok) return '';
  const kept: string[] = [];
  for (const line of lines(parsed.nodes)) {
    const text = renderNodes(line, values);
    if (text !== '' || line.every((n) => n.kind === 'text')) kept.push(text);
  }
  return kept.join('\n');
}

/** The field's template for a role: the booking's own, then the deployment's, each for the role then `default`, then the built-in one. */
function templateFor(field: keyof EventTemplate, role: string, booking?: EventTemplates, deployment?: EventTemplates): string {
  for (const set of [booking, deployment]) {
    const found = set?.[role]?.[field] ?? set?.default?.[field];
    if (found !== undefined) return found;
  }
  return DEFAULT_TEMPLATE[field];
}

/** The title and description one participant's event gets. */
export function renderEventText(
  bookingId: string,
  booking: BookingDetails,
  forUserId: string,
  deployment?: EventTemplates,
): { title: string; description: string } {
  const values = templateValues(bookingId, booking, forUserId);
  const role = values.role || 'default';
  const title = renderTemplate(templateFor('title', role, booking.templates, deployment), values)
    // A title is one line whatever its placeholders hold (a description may have several).
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return {
    title: title === '' ? booking.title : title,
    description: renderTemplate(templateFor('description', role, booking.templates, deployment), values),
  };
}
