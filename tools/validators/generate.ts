import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles, REPO_DIR } from './generated-files';

// `npm run generate:validators`: the workflows' input validators, from src/domain's zod schemas.
// Re-run after any change to those schemas (a unit test fails until then).

async function main(): Promise<void> {
  for (const file of await generatedFiles()) {
    mkdirSync(path.dirname(path.join(REPO_DIR, file.path)), { recursive: true });
    writeFileSync(path.join(REPO_DIR, file.path), file.content);
    process.stdout.write(`wrote ${file.path}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
