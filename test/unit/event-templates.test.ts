import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BookingDetails, Participant } from '../../src/domain/booking';
import { confirmBodySchema } from '../../src/domain/booking-input-schemas';
import { parseTemplate, PLACEHOLDERS } from '../../src/domain/event-templates';
import { renderEventText } from '../../src/events/templates';
import { DEVELOPMENT_ENV, problems } from './support/config-env';
import { loadConfig } from '../../src/config';

const tutor: Participant = { userId: 't', role: 'tutor', name: 'Ada Tutor', email: 'ada@example.com' };
const client: Participant = { userId: 'c', role: 'client', name: 'Bob Client', email: 'bob@example.com' };
const booking: BookingDetails = {
  title: 'Physics lesson',
  description: 'Chapter 3\n\nBring a calculator',
  start: '2030-01-01T10:00:00Z',
  end: '2030-01-01T11:30:00Z',
  timeZone: 'America/New_York',
  location: 'Room 4',
  meetingUrl: 'https://meet.example.com/abc',
  participants: [tutor, client],
};

/** renderEvent's text before templates existed, kept here as the reference the default templates must reproduce. */
function legacyText(b: BookingDetails, forUserId: string): { title: string; description: string } {
  const others = b.participants.filter((p) => p.userId !== forUserId);
  const title = others.length > 0 ? `${b.title} with ${others.map((p) => p.name).join(', ')}` : b.title;
  const lines = others.map((p) => `${p.role.charAt(0).toUpperCase()}${p.role.slice(1)}: ${p.name}`);
  if (b.meetingUrl) lines.push(`Join: ${b.meetingUrl}`);
  if (b.location) lines.push(`Location: ${b.location}`);
  if (b.description) lines.push('', b.description);
  return { title, description: lines.join('\n') };
}

describe('default templates', () => {
  it('reproduce the text events had before templates, with any optional part missing', () => {
    const optional = ['description', 'location', 'meetingUrl'] as const;
    for (let mask = 0; mask < 8; mask++) {
      for (const participants of [[tutor, client], [tutor], [tutor, client, { ...client, userId: 'c2', name: 'Cy' }]]) {
        const b: BookingDetails = { ...booking, participants };
        optional.forEach((field, i) => {
          if (mask & (1 << i)) delete b[field];
        });
        for (const p of participants) expect(renderEventText('bk', b, p.userId)).toEqual(legacyText(b, p.userId));
      }
    }
  });
});

describe('rendering', () => {
  it('fills every placeholder, times in the booking zone', () => {
    const template = PLACEHOLDERS.map((p) => `${p}=[{{${p}}}]`).join('\n');
    const text = renderEventText('bk-1', booking, 'c', { default: { description: template } });
    expect(text.description.split('\n')).toEqual([
      'title=[Physics lesson]',
      'description=[Chapter 3',
      '',
      'Bring a calculator]',
      'bookingId=[bk-1]',
      'meetingUrl=[https://meet.example.com/abc]',
      'location=[Room 4]',
      'name=[Bob Client]',
      'role=[client]',
      'others=[Ada Tutor]',
      'othersWithRoles=[Tutor: Ada Tutor]',
      'participants=[Ada Tutor, Bob Client]',
      'start=[2030-01-01 05:00]',
      'end=[2030-01-01 06:30]',
      'date=[Tuesday 1 January 2030]',
      'startTime=[05:00]',
      'endTime=[06:30]',
      'timeZone=[America/New_York]',
    ]);
  });

  it('shows sections only when their placeholder has a value (inverted ones only when not) and drops lines that come out empty', () => {
    const t = {
      default: {
        title: '{{title}}{{^location}} (online){{/location}}',
        description: 'A\n{{location}}\n\n{{#meetingUrl}}Link: {{meetingUrl}}{{/meetingUrl}}\nZ',
      },
    };
    expect(renderEventText('b', booking, 't', t)).toEqual({
      title: 'Physics lesson',
      description: 'A\nRoom 4\n\nLink: https://meet.example.com/abc\nZ',
    });
    const { location: _l, meetingUrl: _m, ...bare } = booking;
    expect(renderEventText('b', bare, 't', t)).toEqual({ title: 'Physics lesson (online)', description: 'A\n\nZ' });
  });

  it("takes the booking's templates before the deployment's, the role's before default, field by field", () => {
    const deployment = { default: { title: 'D {{title}}', description: 'D desc' }, client: { title: 'C {{name}}' } };
    expect(renderEventText('b', booking, 'c', deployment)).toEqual({ title: 'C Bob Client', description: 'D desc' });
    expect(renderEventText('b', booking, 't', deployment)).toEqual({ title: 'D Physics lesson', description: 'D desc' });
    const own = { ...booking, templates: { tutor: { description: 'B {{others}}' } } };
    expect(renderEventText('b', own, 't', deployment)).toEqual({ title: 'D Physics lesson', description: 'B Bob Client' });
    expect(renderEventText('b', own, 'c', deployment)).toEqual({ title: 'C Bob Client', description: 'D desc' });
  });

  it('keeps a title on one line and never empty', () => {
    expect(renderEventText('b', booking, 't', { default: { title: '{{description}}' } }).title).toBe('Chapter 3 Bring a calculator');
    expect(renderEventText('b', { ...booking, location: undefined }, 't', { default: { title: '{{location}}' } }).title).toBe(
      'Physics lesson',
    );
  });
});

describe('validation', () => {
  it('names an unknown placeholder, a malformed tag or an unbalanced section', () => {
    expect(parseTemplate('Hi {{ nmae }}')).toEqual({ ok: false, error: { kind: 'unknown_placeholder', name: 'nmae' } });
    expect(parseTemplate('Hi {{name')).toEqual({ ok: false, error: { kind: 'malformed_tag', tag: '{{name' } });
    expect(parseTemplate('{{#location}}x')).toEqual({ ok: false, error: { kind: 'unbalanced_section', name: 'location' } });
    expect(parseTemplate('{{#location}}x{{/title}}')).toEqual({ ok: false, error: { kind: 'unbalanced_section', name: 'title' } });
    expect(parseTemplate('{}{ {{#location}}{{^title}}{{name}}{{/title}}{{/location}} }}').ok).toBe(true);
  });

  it('refuses a confirm body whose templates name an unknown placeholder, saying where and which', () => {
    const body = { ...booking, templates: { client: { title: '{{title}} at {{venue}}' } } };
    const result = confirmBodySchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['templates.client.title', expect.stringMatching(/^unknown placeholder \{\{venue\}\}/)],
    ]);
    expect(confirmBodySchema.safeParse({ ...booking, templates: { Tutor: { title: 'x' } } }).success).toBe(false);
    expect(confirmBodySchema.safeParse({ ...booking, templates: { tutor: { title: 'a\nb' } } }).success).toBe(false);
    expect(confirmBodySchema.safeParse({ ...booking, templates: { tutor: { title: 'x', extra: 'y' } } }).success).toBe(false);
    expect(confirmBodySchema.safeParse({ ...booking, templates: { tutor: { title: '{{name}}' } } }).success).toBe(true);
    const roles = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`role${i}`, { title: '{{title}}' }]));
    expect(confirmBodySchema.safeParse({ ...booking, templates: roles(10) }).success).toBe(true);
    expect(confirmBodySchema.safeParse({ ...booking, templates: roles(11) }).success).toBe(false);
  });

  it('refuses to start with a wrong EVENT_TEMPLATES or EVENT_TEMPLATES_FILE, naming the placeholder', () => {
    expect(problems({ ...DEVELOPMENT_ENV, EVENT_TEMPLATES: '{"default":{"description":"{{when}}"}}' })).toEqual([
      expect.stringMatching(/^EVENT_TEMPLATES: default\.description: unknown placeholder \{\{when\}\}/),
    ]);
    expect(problems({ ...DEVELOPMENT_ENV, EVENT_TEMPLATES: '{default' })).toEqual(['EVENT_TEMPLATES: not valid JSON']);
    const dir = mkdtempSync(join(tmpdir(), 'templates-'));
    const file = join(dir, 'templates.json');
    writeFileSync(file, JSON.stringify({ tutor: { title: '{{others}} ({{startTime}})' } }));
    expect(loadConfig({ ...DEVELOPMENT_ENV, EVENT_TEMPLATES_FILE: file }).eventTemplates).toEqual({
      tutor: { title: '{{others}} ({{startTime}})' },
    });
    expect(loadConfig(DEVELOPMENT_ENV).eventTemplates).toBeUndefined();
    expect(problems({ ...DEVELOPMENT_ENV, EVENT_TEMPLATES_FILE: join(dir, 'missing.json') })).toEqual([
      `EVENT_TEMPLATES_FILE: cannot read ${join(dir, 'missing.json')} (ENOENT)`,
    ]);
    expect(problems({ ...DEVELOPMENT_ENV, EVENT_TEMPLATES_FILE: file, EVENT_TEMPLATES: '{}' })).toEqual([
      'EVENT_TEMPLATES and EVENT_TEMPLATES_FILE: set one, not both',
    ]);
  });
});
