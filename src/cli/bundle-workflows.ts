import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../temporal/data-converter';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../telemetry/tracing';
import { WORKFLOWS_PATH } from '../worker';

/**
 * `node dist/cli/bundle-workflows.js FILE`: bundles the built workflows (with the failure
 * converter the worker's data converter names) into FILE, once, at image build. A worker started
 * with WORKFLOW_BUNDLE_PATH=FILE loads it instead of bundling at every start.
 */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node dist/cli/bundle-workflows.js FILE');
  const warn = (message: string) => process.stderr.write(`bundler: ${message}\n`);
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { trace() {}, debug() {}, info() {}, warn, error: warn, log() {} },
  });
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, bundle.code);
  process.stderr.write(`Workflow bundle written to ${target} (${Math.round(bundle.code.length / 1024)} KiB)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
