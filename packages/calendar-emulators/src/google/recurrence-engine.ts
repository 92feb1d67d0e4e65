import type { RequestHandler } from 'express';
import type ICAL from 'ical.js' with { 'resolution-mode': 'import' };

// ical.js expands RRULEs. It is an ES module and this project is CommonJS, so it can only
// be loaded asynchronously; event code is synchronous (validation and listing run in one
// go, so no other request can interleave), hence: load once, before the first request
// that may need it, then hand the module out synchronously.

export type IcalModule = typeof ICAL;

let loading: Promise<IcalModule> | undefined;
let loaded: IcalModule | undefined;

export function loadRecurrenceEngine(): Promise<IcalModule> {
  loading ??= import('ical.js').then((module) => {
    loaded = module.default;
    return loaded;
  });
  return loading;
}

/** The loaded module; routes that touch events run `recurrenceReady` first. */
export function recurrenceEngine(): IcalModule {
  if (!loaded) throw new Error('ical.js is not loaded yet: await loadRecurrenceEngine() first');
  return loaded;
}

/** Holds a request until ical.js is loaded (only the very first requests ever wait). */
export const recurrenceReady: RequestHandler = (_req, _res, next) => {
  if (loaded) return next();
  loadRecurrenceEngine().then(() => next(), next);
};
