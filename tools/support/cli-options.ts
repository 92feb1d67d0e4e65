import { parseArgs } from 'node:util';
import type { z } from 'zod';

/** `--name value` flags, one per key of the schema, validated (and defaulted) by it. */
export function parseCliOptions<S extends z.ZodObject>(schema: S, argv: string[]): z.output<S> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(schema.shape).map((k) => [k, { type: 'string' as const }])),
    strict: true,
  });
  return schema.parse(values);
}
