import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../src/telemetry/tracing';

/**
 * Bundles a workflows folder once and writes it to `file`, so several worker processes start
 * without bundling (WORKFLOW_BUNDLE_PATH). Bundler warnings go to `log`.
 */
export async function writeWorkflowBundle(opts: {
  workflowsPath: string;
  failureConverterPath?: string;
  file: string;
  log: (line: string) => void;
}): Promise<string> {
  const warn = (message: string) => opts.log(`bundler: ${message}`);
  const logger = { trace() {}, debug() {}, info() {}, warn, error: warn, log() {} };
  const bundle = await bundleWorkflowCode({
    workflowsPath: opts.workflowsPath,
    ...(opts.failureConverterPath ? { failureConverterPath: opts.failureConverterPath } : {}),
    // As the service's own bundles: its workers register the sink these interceptors call.
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger,
  });
  await writeFile(opts.file, bundle.code);
  return opts.file;
}
