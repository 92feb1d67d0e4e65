import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The layer rules (eslint/layers.mjs) alone, run on sources placed at paths of the tree: each rule
// reports the import it forbids, and lets through the imports the architecture allows.

const ROOT = path.resolve(__dirname, '../..');
const RULE = '@typescript-eslint/no-restricted-imports';

let eslint: Promise<ESLint> | undefined;

function layersOnly(): Promise<ESLint> {
  eslint ??= import('../../eslint/layers.mjs').then(
    ({ layerRules }) =>
      new ESLint({
        cwd: ROOT,
        overrideConfigFile: true,
        overrideConfig: [
          { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { '@typescript-eslint': tseslint.plugin } },
          ...layerRules,
        ],
      }),
  );
  return eslint;
}

/** The messages of the layer rules for `code` as the file at `file` (relative to the repository). */
async function refusals(file: string, code: string): Promise<string[]> {
  const [result] = await (await layersOnly()).lintText(code, { filePath: path.join(ROOT, file) });
  expect(result!.messages.every((m) => m.ruleId === RULE)).toBe(true);
  return result!.messages.map((m) => m.message);
}

describe('layer rules: what each part of the service may import', () => {
  it('a workflow imports no Node built-in', async () => {
    expect(await refusals('src/workflows/fixture.ts', "import { readFileSync } from 'node:fs';\nreadFileSync('x');\n")).toEqual([
      expect.stringContaining('Workflows are deterministic'),
    ]);
    expect(await refusals('src/workflows/fixture.ts', "import { randomUUID } from 'crypto';\nrandomUUID();\n")).toEqual([
      expect.stringContaining('Workflows are deterministic'),
    ]);
  });

  it('a workflow imports nothing of the database layer, not even a type', async () => {
    expect(
      await refusals('src/workflows/fixture.ts', "import type { BookingRow } from '../db/bookings';\nexport type R = BookingRow;\n"),
    ).toEqual([expect.stringContaining('Workflows never import the database layer')]);
  });

  it('a workflow imports neither the API nor an I/O library nor a Temporal client', async () => {
    expect(await refusals('src/workflows/fixture.ts', "import { createApp } from '../api/app';\ncreateApp;\n")).toEqual([
      expect.stringContaining('Workflows import only workflow code and src/domain'),
    ]);
    expect(await refusals('src/workflows/fixture.ts', "import { Pool } from 'pg';\nnew Pool();\n")).toEqual([
      expect.stringContaining('No I/O or heavy libraries in workflows'),
    ]);
    expect(await refusals('src/workflows/fixture.ts', "import * as google from 'googleapis/build/src/apis/calendar';\ngoogle;\n")).toEqual([
      expect.stringContaining('No I/O or heavy libraries in workflows'),
    ]);
    expect(await refusals('src/workflows/fixture.ts', "import { Client } from '@temporalio/client';\nnew Client();\n")).toEqual([
      expect.stringContaining('Workflows use @temporalio/workflow'),
    ]);
  });

  it('a workflow reaches activities through their types only', async () => {
    expect(await refusals('src/workflows/fixture.ts', "import { createActivities } from '../activities';\ncreateActivities;\n")).toEqual([
      expect.stringContaining('Workflows call activities through proxies'),
    ]);
  });

  it("a workflow's own imports pass: the workflow API, activity types, src/domain and its folder", async () => {
    const code = [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import { ApplicationFailure } from '@temporalio/common';",
      "import type { Activities } from '../activities';",
      "import type { BookingDetails } from '../domain/booking';",
      "import { BookingState } from './booking-state';",
      'export const a = proxyActivities<Activities>({});',
      'export type B = BookingDetails;',
      'export { ApplicationFailure, BookingState };',
      '',
    ].join('\n');
    expect(await refusals('src/workflows/fixture.ts', code)).toEqual([]);
  });

  it('a workflow may use the types of zod and of the shared input schemas of src/domain, and no other package', async () => {
    const types = [
      "import type { z } from 'zod';",
      "import type { confirmChangeSchema } from '../domain/booking-input-schemas';",
      "import type { EventTemplates } from '../domain/event-templates';",
      'export type C = z.output<typeof confirmChangeSchema> | EventTemplates;',
      '',
    ].join('\n');
    expect(await refusals('src/workflows/fixture.ts', types)).toEqual([]);
    for (const code of [
      "import { z } from 'zod';\nz;\n",
      "import { confirmChangeSchema } from '../domain/booking-input-schemas';\nconfirmChangeSchema;\n",
      "import { parseTemplate } from '../domain/event-templates';\nparseTemplate;\n",
    ]) {
      expect(await refusals('src/workflows/fixture.ts', code)).toEqual([expect.stringContaining('zod stays out of the workflow bundle')]);
    }
    expect(await refusals('src/workflows/fixture.ts', "import { parse } from 'yaml';\nparse('');\n")).toEqual([
      expect.stringContaining('Workflows import only @temporalio/workflow, zod (types)'),
    ]);
  });

  it('src/domain, which workflows import, imports only zod and its own folder', async () => {
    const own =
      "import { z } from 'zod';\nimport type { BookingDetails } from './booking';\nexport type B = BookingDetails;\nexport { z };\n";
    expect(await refusals('src/domain/fixture.ts', own)).toEqual([]);
    for (const code of [
      "import { DateTime } from 'luxon';\nDateTime;\n",
      "import { randomUUID } from 'node:crypto';\nrandomUUID;\n",
      "import type { AppConfig } from '../config';\nexport type C = AppConfig;\n",
    ]) {
      expect(await refusals('src/domain/fixture.ts', code)).toEqual([expect.stringContaining('src/domain is pure')]);
    }
  });

  it('activities never import the HTTP API', async () => {
    expect(await refusals('src/activities/fixture.ts', "import { createApp } from '../api/app';\ncreateApp;\n")).toEqual([
      expect.stringContaining('Activities never import the HTTP API'),
    ]);
    expect(
      await refusals(
        'src/activities/fixture.ts',
        "import type { Repositories } from '../db/repositories';\nexport type R = Repositories;\n",
      ),
    ).toEqual([]);
  });

  it('providers never reach the database', async () => {
    expect(await refusals('src/providers/google/fixture.ts', "import { Pool } from '../../db/pool';\nPool;\n")).toEqual([
      expect.stringContaining('Providers talk to calendars only'),
    ]);
    expect(await refusals('src/providers/fixture.ts', "import type { AppConfig } from '../config';\nexport type C = AppConfig;\n")).toEqual(
      [expect.stringContaining('Providers talk to calendars only')],
    );
  });

  it('the database layer takes provider types but never runs provider code', async () => {
    expect(
      await refusals('src/db/fixture.ts', "import { calendarClient } from '../providers/google/calendar-client';\ncalendarClient;\n"),
    ).toEqual([expect.stringContaining('The database layer never runs provider code')]);
    expect(
      await refusals('src/db/fixture.ts', "import type { Credentials } from '../providers/types';\nexport type C = Credentials;\n"),
    ).toEqual([]);
    expect(await refusals('src/db/fixture.ts', "import { bookingWorkflow } from '../workflows/booking';\nbookingWorkflow;\n")).toEqual([
      expect.stringContaining('The database layer sits below'),
    ]);
  });

  it('cryptography never reaches the database', async () => {
    expect(await refusals('src/crypto/fixture.ts', "import { Pool } from '../db/pool';\nPool;\n")).toEqual([
      expect.stringContaining('Cryptography never reaches the database'),
    ]);
  });

  it('the service loads no emulator, tool or test code', async () => {
    expect(
      await refusals('src/api/fixture.ts', "import { startGoogleSandbox } from 'calendar-emulators/google';\nstartGoogleSandbox;\n"),
    ).toEqual([expect.stringContaining('The service never loads tools, emulators or tests')]);
    expect(await refusals('src/application/fixture.ts', "import { start } from '../../tools/dev/start';\nstart;\n")).toEqual([
      expect.stringContaining('The service never loads tools, emulators or tests'),
    ]);
  });

  it('the emulators import nothing of the service', async () => {
    expect(
      await refusals(
        'packages/calendar-emulators/src/google/fixture.ts',
        "import { createRepositories } from '../../../../src/db/repositories';\ncreateRepositories;\n",
      ),
    ).toEqual([expect.stringContaining('The emulators import nothing of the service')]);
    expect(
      await refusals(
        'packages/calendar-emulators/test/fixture.test.ts',
        "import { eventually } from '../../../test/support/eventually';\neventually;\n",
      ),
    ).toEqual([expect.stringContaining('The emulators import nothing of the service')]);
    const own =
      "import express from 'express';\nimport { html } from './html';\nimport { ids } from '../shared/ids';\nexport { express, html, ids };\n";
    expect(await refusals('packages/calendar-emulators/src/google/fixture.ts', own)).toEqual([]);
  });
});
