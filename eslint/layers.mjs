// Which part of the service may import which: the README's architecture section as lint rules.
// Kept apart from eslint.config.mjs so a test can run these rules alone on fixture files.

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'path',
  'crypto',
  'http',
  'https',
  'net',
  'os',
  'child_process',
  'url',
  'util',
  'stream',
  'events',
  'timers',
];
const SERVICE_ONLY = {
  group: ['**/tools/**', '**/packages/**', '**/test/**', 'calendar-emulators', 'calendar-emulators/*'],
  message: 'The service never loads tools, emulators or tests.',
};

function restrict(...patterns) {
  return { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [SERVICE_ONLY, ...patterns] }] };
}

export const layerRules = [
  { name: 'layers/service', files: ['src/**/*.ts'], rules: restrict() },
  {
    name: 'layers/workflows',
    files: ['src/workflows/**/*.ts'],
    rules: restrict(
      { group: NODE_BUILTINS, message: 'Workflows are deterministic: no Node built-ins.' },
      {
        group: ['@temporalio/*', '!@temporalio/workflow', '!@temporalio/common'],
        message: 'Workflows use @temporalio/workflow (and common) only.',
      },
      {
        group: ['../db', '../db/*'],
        message: 'Workflows never import the database layer, not even its types: shared types live in src/domain.',
      },
      {
        group: ['../activities', '../activities/*'],
        allowTypeImports: true,
        message: 'Workflows call activities through proxies: import their types only.',
      },
      {
        group: ['../*', '!../domain', '!../domain/*', '!../activities', '!../activities/*', '!../db', '!../db/*'],
        message: 'Workflows import only workflow code and src/domain.',
      },
      {
        group: ['pg', 'express', 'googleapis', 'tsdav', 'pino', 'luxon', 'ical.js', 'ical-generator'],
        message: 'No I/O or heavy libraries in workflows.',
      },
    ),
  },
  {
    name: 'layers/activities',
    files: ['src/activities/**/*.ts'],
    rules: restrict({ group: ['../api', '../api/*'], message: 'Activities never import the HTTP API.' }),
  },
  {
    name: 'layers/providers',
    files: ['src/providers/**/*.ts'],
    rules: restrict({
      group: ['**/db', '**/db/*', '**/workflows', '**/workflows/*', '**/activities', '**/activities/*', '**/api', '**/api/*', '**/config'],
      message: 'Providers talk to calendars only: no database, workflows, activities, API or process configuration.',
    }),
  },
  {
    name: 'layers/db',
    files: ['src/db/**/*.ts'],
    rules: restrict(
      {
        group: ['../providers', '../providers/*', '../providers/**'],
        allowTypeImports: true,
        message: 'The database layer never runs provider code.',
      },
      {
        group: ['../api', '../api/*', '../workflows', '../workflows/*', '../activities', '../activities/*'],
        message: 'The database layer sits below the API, workflows and activities.',
      },
    ),
  },
  {
    name: 'layers/crypto',
    files: ['src/crypto/**/*.ts'],
    rules: restrict({ group: ['../db', '../db/*'], message: 'Cryptography never reaches the database.' }),
  },
  {
    name: 'layers/emulators',
    files: ['packages/calendar-emulators/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/{activities,api,workflows,db,providers,crypto,account-access,domain,events,temporal,metrics,application}/**',
                '**/tools/**',
                '**/test/support/**',
              ],
              message: 'The emulators import nothing of the service.',
            },
          ],
        },
      ],
    },
  },
];
