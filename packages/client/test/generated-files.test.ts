import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles, PACKAGE_DIR } from '../scripts/generated-files';
import { OPERATIONS } from '../src/operations';

// The committed document, types and operation table are what the generator makes from the
// service's routes now: a route or schema change without `npm run generate -w calsync-client` fails here.
describe('calsync-client generated files', () => {
  it('match the service source (run `npm run generate -w calsync-client`)', async () => {
    const files = await generatedFiles();
    expect(files.map((f) => f.path)).toEqual(['openapi.json', 'src/schema.ts', 'src/operations.ts']);
    for (const file of files) {
      const committed = readFileSync(path.join(PACKAGE_DIR, file.path), 'utf8');
      expect(committed, `${file.path} is stale`).toBe(file.content);
    }
  });

  it('list every operation of the document once, by its operationId', async () => {
    const doc = JSON.parse((await generatedFiles()).find((f) => f.path === 'openapi.json')!.content) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const fromDoc = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item).map(([method, op]) => [op.operationId, { method, path: p }] as const),
    );
    expect(Object.fromEntries(fromDoc)).toEqual(OPERATIONS);
    expect(Object.keys(OPERATIONS)).toHaveLength(fromDoc.length);
  });
});
