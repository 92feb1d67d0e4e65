import { z } from 'zod';
import {
  isTemplateText,
  MAX_TEMPLATE_ROLES,
  parseTemplate,
  PLACEHOLDERS,
  templateErrorMessage,
  withinTemplateRoles,
} from './template-syntax';

// Everything of the template syntax, for the modules that import it from here.
export * from './template-syntax';

/**
 * Event templates: the title and description each participant's event gets, per role, written
 * with `{{placeholder}}`s and `{{#placeholder}}…{{/placeholder}}` sections (shown only when the
 * placeholder is not empty; `{{^placeholder}}` only when it is). Parsing and validation only,
 * pure JavaScript: the API, the configuration and the workflows (which check every signal with
 * the same rules: the syntax and its checks are template-syntax.ts, zod-free for their bundle).
 * Rendering is src/events/templates.ts.
 */

/** Template text: control characters other than newlines and tabs are refused, as in booking text. */
const templateText = (max: number, multiLine: boolean) =>
  z
    .string()
    .max(max)
    .refine(
      (v) => isTemplateText(v, multiLine),
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

export const eventTemplatesSchema = z
  .record(
    z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'each key must be a role (a lowercase word such as tutor) or default'),
    eventTemplateSchema,
  )
  .refine(withinTemplateRoles, `at most ${MAX_TEMPLATE_ROLES} roles`)
  .describe(
    'Event templates by participant role (or "default"), before the deployment\'s EVENT_TEMPLATES. ' +
      `Placeholders: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}; sections {{#name}}…{{/name}} (shown when not empty) ` +
      'and {{^name}}…{{/name}} (when empty). An unknown placeholder is a 400 naming it.',
  );
