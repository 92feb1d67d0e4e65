import { Router } from 'express';
import type { UserErasures } from '../../application/user-erasure';
import { validationError } from '../errors';
import { removeEventsQuerySchema, idSchema } from '../schemas';
import { userErasureSchema } from '../responses/personal-data';
import { sendJson } from '../send-json';
import { parseParam } from '../validate';

const userIdSchema = idSchema('userId');

/** Erasing a user (personal data): 202 while it runs, 200 once it has finished; asking again is harmless. */
export function userErasureRoutes(erasures: UserErasures): Router {
  const router = Router();

  router.delete('/v1/users/:userId', async (req, res) => {
    const userId = parseParam(req.params.userId, userIdSchema);
    const query = removeEventsQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const view = await erasures.erase(userId, query.data.removeEvents === 'true');
    sendJson(res, view.status === 'erased' ? 200 : 202, userErasureSchema, view);
  });

  return router;
}
