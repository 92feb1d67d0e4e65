/**
 * Event templates' syntax: the placeholders and the parser, without zod. The API's schema
 * (event-templates.ts) and the workflows' input checks (src/workflows/input-rules.ts) both use
 * these, so a template is judged by one code; kept apart so the workflow bundle does not load zod.
 * Rendering is src/events/templates.ts.
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

/** At most this many roles (with `default`) per set of templates. */
export const MAX_TEMPLATE_ROLES = 10;
export const withinTemplateRoles = (templates: object): boolean => Object.keys(templates).length <= MAX_TEMPLATE_ROLES;

/**
 * Template text's characters: control characters other than newlines and tabs are refused (in a
 * title, newlines and tabs too), as in booking text.
 */
export function isTemplateText(v: string, multiLine: boolean): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what these patterns find
  return !(multiLine ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/ : /[\u0000-\u001f\u007f]/).test(v);
}
