import { tracedBundlePath } from '../telemetry/tracing';
import { writeWorkflowBundles } from '../temporal/workflow-bundles';

/**
 * `node dist/cli/bundle-workflows.js FILE`: bundles the built workflows into FILE (plain) and its
 * traced variant beside it, once, at image build. A worker started with WORKFLOW_BUNDLE_PATH=FILE
 * loads one of them (the traced one when tracing is on) instead of bundling at every start.
 */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node dist/cli/bundle-workflows.js FILE');
  const target = await writeWorkflowBundles({ file, log: (message) => process.stderr.write(`bundler: ${message}\n`) });
  process.stderr.write(`Workflow bundles written to ${target} and ${tracedBundlePath(target)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
