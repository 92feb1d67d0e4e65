import type { ErrorRequestHandler, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { isPlausibleEmail } from './email';
import { addFaultRule, clearFaultRules, describeFaultRules, type FaultState } from './faults';
import { isBodyParseError } from './http';
import type { FaultRuleInput, JsonValue } from './types';

// Pieces of the /sandbox control API every emulator shares: input validation, the
// error shape `{error: {code, message}}` and the fault routes.

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export const emailSchema = z.string().refine(isPlausibleEmail, 'must be an e-mail address');

const jsonValue: z.ZodType<JsonValue> = z.json();

export const faultRuleSchema = z
  .strictObject({
    method: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    account: z.string().min(1).optional(),
    status: z.number().int().min(200).max(599).optional(),
    reason: z.string().min(1).optional(),
    message: z.string().optional(),
    body: jsonValue.optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
    dropResponse: z.boolean().optional(),
    resetConnection: z.boolean().optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    times: z.union([z.number().int().min(1), z.literal('always')]).optional(),
    probability: z.number().min(0).max(1).optional(),
    seed: z.number().int().optional(),
  })
  .refine(
    (rule) => [rule.status !== undefined, rule.dropResponse === true, rule.resetConnection === true].filter(Boolean).length <= 1,
    'status, dropResponse and resetConnection are alternatives: give at most one',
  )
  .refine(
    (rule) => rule.status !== undefined || rule.dropResponse === true || rule.resetConnection === true || rule.latencyMs !== undefined,
    'a fault needs an action: status, dropResponse, resetConnection or latencyMs',
  ) satisfies z.ZodType<FaultRuleInput>;

/** Validates a control request body; failures become 400s with zod's readable message. */
export function parseInput<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new ControlError(400, z.prettifyError(result.error));
  return result.data;
}

/** GET, POST and DELETE /faults. */
export function registerFaultRoutes(router: Router, state: FaultState): void {
  router.get('/faults', (_req, res) => {
    res.json({ faults: describeFaultRules(state) });
  });

  router.post('/faults', (req, res) => {
    const rule = addFaultRule(state, parseInput(faultRuleSchema, req.body));
    res.status(201).json({ id: rule.id });
  });

  router.delete('/faults', (_req, res) => {
    clearFaultRules(state);
    res.status(204).end();
  });
}

export const unknownControlRoute: RequestHandler = (_req, res) => {
  res.status(404).json({ error: { code: 404, message: 'Unknown sandbox control route' } });
};

/**
 * Control errors and malformed JSON as `{error: {code, message}}`. `provider` may answer
 * an error in the provider's own shape first (returns true when it did).
 */
export function controlErrorHandler(provider?: (error: unknown, res: Response) => boolean): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (error instanceof ControlError) {
      res.status(error.status).json({ error: { code: error.status, message: error.message } });
      return;
    }
    if (provider?.(error, res)) return;
    if (isBodyParseError(error)) {
      res.status(400).json({ error: { code: 400, message: 'Malformed JSON body' } });
      return;
    }
    next(error);
  };
}
