// The origins at which a service under test answers. The response check (test/setup/
// validate-responses.ts) validates fetch answers from these origins against the OpenAPI document.
// Kept on globalThis: the setup file and the test file's modules must see one set.

const KEY = Symbol.for('calsync.test.serviceOrigins');

function origins(): Set<string> {
  const global = globalThis as { [KEY]?: Set<string> };
  return (global[KEY] ??= new Set<string>());
}

/** Answers from `url`'s origin are checked against the document from now on. */
export function registerServiceOrigin(url: string): void {
  origins().add(new URL(url).origin);
}

export function unregisterServiceOrigin(url: string): void {
  origins().delete(new URL(url).origin);
}

export function isServiceOrigin(url: string): boolean {
  return URL.canParse(url) && origins().has(new URL(url).origin);
}
