import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { tracedBundlePath, workflowInterceptorModules } from '../telemetry/tracing';
import { WORKFLOWS_PATH } from '../worker';
import { FAILURE_CONVERTER_PATH } from './data-converter';

/**
 * Bundles the workflows (with the failure converter the worker's data converter names) twice:
 * plain into `file`, and with the OpenTelemetry workflow interceptors into its traced variant
 * beside it (`tracedBundlePath`). A worker given `file` loads the variant its tracing asks for.
 * Bundler warnings go to `log`. Returns the absolute path of the plain bundle.
 */
export async function writeWorkflowBundles(opts: { file: string; log: (line: string) => void }): Promise<string> {
  const target = path.resolve(opts.file);
  const logger = { trace() {}, debug() {}, info() {}, warn: opts.log, error: opts.log, log() {} };
  await mkdir(path.dirname(target), { recursive: true });
  for (const traced of [false, true]) {
    const bundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      workflowInterceptorModules: workflowInterceptorModules(traced),
      logger,
    });
    await writeFile(traced ? tracedBundlePath(target) : target, bundle.code);
  }
  return target;
}
