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
const WORKFLOW_DENIED_LIBRARIES = ['pg', 'express', 'googleapis', 'tsdav', 'pino', 'luxon', 'ical.js', 'ical-generator'];
/** The modules of src/domain that build zod schemas: workflows import their types only. */
const ZOD_DOMAIN_MODULES = ['booking-input-schemas', 'event-templates', 'notification-events'];
const escape = (name) => name.replace(/[.]/g, '\\.');
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
      { group: WORKFLOW_DENIED_LIBRARIES, message: 'No I/O or heavy libraries in workflows.' },
      {
        // Workflow modules are evaluated again for every workflow: building zod's schemas there cost a
        // quarter of the worker's workflow CPU. Inputs are checked with generated validators (input-checks.ts).
        group: ['zod', ...ZOD_DOMAIN_MODULES.map((m) => `../domain/${m}`)],
        allowTypeImports: true,
        message:
          'zod stays out of the workflow bundle: import its types (and the schemas of src/domain as types) only; check inputs with ./input-checks.',
      },
      {
        // Any other package but zod (types only, above). The packages refused above are left to their own messages.
        regex: `^(?![.]|@temporalio/|zod$|node:|(${[...NODE_BUILTINS.slice(1), ...WORKFLOW_DENIED_LIBRARIES].map(escape).join('|')})(/|$))`,
        message: 'Workflows import only @temporalio/workflow, zod (types), workflow code and src/domain.',
      },
    ),
  },
  {
    // Workflows import src/domain (the shared input schemas among it), so it stays as deterministic
    // as they are: its own files and zod (pure JavaScript), nothing else.
    name: 'layers/domain',
    files: ['src/domain/**/*.ts'],
    rules: restrict({
      regex: '^(?!zod$|\\./)',
      message: 'src/domain is pure and bundled into workflows: it imports only zod and its own folder.',
    }),
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
            // Three or more levels up leaves the package (its files sit at most two folders deep);
            // import patterns have no brace expansion, hence a regular expression.
            { regex: '^(\\.\\./){3,}(src|tools|test)(/|$)', message: 'The emulators import nothing of the service.' },
            { group: ['booking-calendar-sync', 'booking-calendar-sync/*'], message: 'The emulators import nothing of the service.' },
          ],
        },
      ],
    },
  },
];
