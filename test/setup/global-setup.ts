import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { migrate } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';
import { startDevServer } from '../../tools/dev/dev-server';
import { ensureTemporalCli } from '../../tools/dev/temporal-cli';
import { createFreshDatabase } from '../../tools/support/test-database';
import { writeWorkflowBundles } from '../../src/temporal/workflow-bundles';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    workflowBundlePath: string;
  }
}

const log = (line: string) => process.stderr.write(`[test setup] ${line}\n`);

/**
 * One real Temporal dev server (in memory), one fresh PostgreSQL database with the migrations
 * applied, and the workflow bundle built once, shared by every integration test file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binary = await ensureTemporalCli({ log });
  const [server, db] = await Promise.all([
    startDevServer({ binary, headless: true, searchAttributes: { ...SEARCH_ATTRIBUTES }, log }),
    createFreshDatabase({ prefix: 'calsync_test' }),
  ]);
  const pool = createPool(db.url, 1);
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'calsync-bundle-'));
  // Plain and traced (workflows.traced.js, loaded by workers with tracing on, as in production).
  const bundlePath = await writeWorkflowBundles({ file: path.join(dir, 'workflows.js'), log });

  project.provide('temporalAddress', server.address);
  project.provide('databaseUrl', db.url);
  project.provide('workflowBundlePath', bundlePath);

  return async () => {
    await server.stop();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  };
}
