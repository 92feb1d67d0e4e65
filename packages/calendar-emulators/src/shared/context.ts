import type { Request } from 'express';

/**
 * A typed per-request store for facts middlewares hand to each other, kept off
 * `res.locals` (which is `any`). Each emulator makes its own with its own shape.
 */
export function perRequest<T extends object>(create: () => T): (req: Request) => T {
  const store = new WeakMap<Request, T>();
  return (req) => {
    let value = store.get(req);
    if (!value) {
      value = create();
      store.set(req, value);
    }
    return value;
  };
}
