import { Router } from 'express';
import { openApiDocument } from '../openapi/document';
import { apiDocsPage } from '../pages/api-docs-page';
import { problemTypePage } from '../pages/problem-type-page';
import { ApiError } from '../errors';
import { isProblemCode, PROBLEM_TITLES, PROBLEM_TYPE_PATH } from '../problem';

/**
 * `/openapi.json`, `/docs` and the problem type pages (`/problems/<code>`, what an error's `type`
 * points to): the API described from the schemas that validate it. Public, like the routes' shapes.
 */
export function openApiRoutes(opts: { version: string; serverUrl: string }): Router {
  const router = Router();
  const doc = openApiDocument(opts);
  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(apiDocsPage(doc as Parameters<typeof apiDocsPage>[0]));
  });
  router.get(`${PROBLEM_TYPE_PATH}/:code`, (req, res) => {
    const code = req.params.code;
    if (!isProblemCode(code)) throw new ApiError(404, 'not_found', 'no such problem type');
    res.type('html').send(problemTypePage(code, PROBLEM_TITLES[code]));
  });
  return router;
}
