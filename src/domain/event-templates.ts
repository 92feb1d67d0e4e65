import { z } from 'zod';

/**
 * Event templates: the title and description each participant's event gets, per role, written
 * with `{{placeholder}}`s and `{{#placeholder}}…{{/placeholder}}` sections (shown only when the
 * placeholder is not empty; `{{^placeholder}}` only when it is). Parsing and validation only,
 * pure JavaScript: the API, the configuration and the workflows (which check every signal with
 * the same schemas) all use it. Rendering is src/events/templates.ts.
 */

/** Every placeholder a template may name; anything else is refused, naming it. */
export const PLACEHOLDERS = [
  'title',
  'description',
  'bookingId',
  'meetingUrl',
  'location',
  'name',
  'role',
  'others',
  'othersWithRoles',
  'participants',
  'start',
  'end',
  'date',
  'startTime',
  'endTime',
  'timeZone',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
const KNOWN = new Set<string>(PLACEHOLDERS);

export interface EventTemplate {
  title?: string;
  description?: string;
}
/** By the role of the participant whose event it is, with `default` for every other role. */
export type EventTemplates = Record<string, EventTemplate>;

export type TemplateNode =
  | { kind: 'text'; text: string }
  | { kind: 'value'; name: Placeholder }
  | { kind: 'section'; name: Placeholder; inverted: boolean; children: TemplateNode[] };

export type TemplateError =
  { kind: 'unknown_placeholder'; name: string } | { kind: 'malformed_tag'; tag: string } | { kind: 'unbalanced_section'; name: string };

export type ParsedTemplate = { ok: true; nodes: TemplateNode[] } | { ok: false; error: TemplateError };

/** A tag: `{{name}}`, `{{#name}}`, `{{^name}}` or `{{/name}}`, spaces allowed inside the braces. */
const TAG = /\{\{\s*([#^/]?)\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/y;

export function templateErrorMessage(error: TemplateError): string {
  switch (error.kind) {
    case 'unknown_placeholder':
      return `unknown placeholder {{${error.name}}}; known placeholders: ${PLACEHOLDERS.join(', ')}`;
    case 'malformed_tag':
      return `malformed placeholder ${JSON.stringify(error.tag.slice(0, 40))}: write {{name}}, {{#name}}…{{/name}} or {{^name}}…{{/name}}`;
    case 'unbalanced_section':
      return `section {{#${error.name}}} (or {{/${error.name}}}) is not closed or opened`;
  }
}

/** Parses a template into nodes, or says what is wrong with it (the first problem). */
export function parseTemplate(source: string): ParsedTemplate {
  const root: TemplateNode[] = [];
  const open: Array<{ name: string; children: TemplateNode[] }> = [];
  let children = root;
  let at = 0;
  while (at < source.length) {
    const next = source.indexOf('{{', at);
    if (next === -1) {
      children.push({ kind: 'text', text: source.slice(at) });
      break;
    }
    if (next > at) children.push({ kind: 'text', text: source.slice(at, next) });
    TAG.lastIndex = next;
    const m = TAG.exec(source);
    if (!m) {
      const close = source.indexOf('}}', next);
      return { ok: false, error: { kind: 'malformed_tag', tag: source.slice(next, close === -1 ? undefined : close + 2) } };
    }
    const [whole, sigil, name] = m as unknown as [string, string, string];
    at = next + whole.length;
    if (!KNOWN.has(name)) return { ok: false, error: { kind: 'unknown_placeholder', name } };
    const placeholder = name as Placeholder;
    if (sigil === '') children.push({ kind: 'value', name: placeholder });
    else if (sigil === '/') {
      const closing = open.pop();
      if (!closing || closing.name !== name) return { ok: false, error: { kind: 'unbalanced_section', name } };
      children = open.at(-1)?.children ?? root;
    } else {
      const section: TemplateNode = { kind: 'section', name: placeholder, inverted: sigil === '^', children: [] };
      children.push(section);
      open.push({ name, children: section.children });
      children = section.children;
    }
  }
  const unclosed = open.pop();
  if (unclosed) return { ok: false, error: { kind: 'unbalanced_section', name: unclosed.name } };
  return { ok: true, nodes: root };
}

/** Template text: control characters other than newlines and tabs are refused, as in booking text. */
const templateText = (max: number, multiLine: boolean) =>
  z
    .string()
    .max(max)
    .refine(
      // eslint-disable-next-line no-control-regex -- control characters are what these patterns find
      (v) => !(multiLine ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/ : /[\u0000-\u001f\u007f]/).test(v),
      multiLine ? 'must not contain control characters' : 'must be a single line without control characters',
    )
    .transform((v) => v.replace(/\r\n?/g, '\n'))
    .superRefine((v, ctx) => {
      const parsed = parseTemplate(v);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: templateErrorMessage(parsed.error) });
    });

export const eventTemplateSchema = z.strictObject({
  title: templateText(1000, false).optional().describe('Single-line template for the event title'),
  description: templateText(8000, true).optional().describe('Template for the event description'),
});

/** At most this many roles (with `default`) per set of templates. */
export const MAX_TEMPLATE_ROLES = 10;

export const eventTemplatesSchema = z
  .record(
    z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'each key must be a role (a lowercase word such as tutor) or default'),
    eventTemplateSchema,
  )
  .refine((t) => Object.keys(t).length <= MAX_TEMPLATE_ROLES, `at most ${MAX_TEMPLATE_ROLES} roles`)
  .describe(
    'Event templates by participant role (or "default"), before the deployment\'s EVENT_TEMPLATES. ' +
      `Placeholders: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}; sections {{#name}}…{{/name}} (shown when not empty) ` +
      'and {{^name}}…{{/name}} (when empty). An unknown placeholder is a 400 naming it.',
  );
