import { readFileSync } from 'node:fs';
import { eventTemplatesSchema, type EventTemplates } from '../domain/event-templates';

export type TemplatesSetting = { ok: true; templates: EventTemplates | undefined } | { ok: false; problems: string[] };

/**
 * EVENT_TEMPLATES (JSON in the variable) or EVENT_TEMPLATES_FILE (a JSON file's path), not both:
 * `{"default": {"title": "…", "description": "…"}, "<role>": {…}}`. Every problem is reported
 * with the role and field it is in, an unknown placeholder by its name, so a deployment with a
 * wrong template does not start.
 */
export function readTemplatesSetting(inline: string | undefined, file: string | undefined): TemplatesSetting {
  if (inline !== undefined && file !== undefined)
    return { ok: false, problems: ['EVENT_TEMPLATES and EVENT_TEMPLATES_FILE: set one, not both'] };
  const name = inline !== undefined ? 'EVENT_TEMPLATES' : 'EVENT_TEMPLATES_FILE';
  let text = inline;
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      return { ok: false, problems: [`EVENT_TEMPLATES_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
    }
  }
  if (text === undefined) return { ok: true, templates: undefined };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problems: [`${name}: not valid JSON`] };
  }
  const parsed = eventTemplatesSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${name}: ${i.path.length > 0 ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`),
    };
  }
  return { ok: true, templates: parsed.data };
}
