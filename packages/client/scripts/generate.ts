import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles, PACKAGE_DIR } from './generated-files';

// `npm run generate -w calsync-client`: the document, its types and the operation table, from the
// service's source. Re-run after any change to the routes or their schemas.

async function main(): Promise<void> {
  for (const file of await generatedFiles()) {
    writeFileSync(path.join(PACKAGE_DIR, file.path), file.content);
    process.stdout.write(`wrote ${file.path}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
