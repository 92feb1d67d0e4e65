import { Router } from 'express';
import { openApiDocument } from '../openapi/document';
import { apiDocsPage } from '../pages/api-docs-page';

/** `/openapi.json` and `/docs`: the API described from the schemas that validate it. Public, like the routes' shapes. */
export function openApiRoutes(opts: { version: string; serverUrl: string }): Router {
  const router = Router();
  const doc = openApiDocument(opts);
  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(apiDocsPage(doc as Parameters<typeof apiDocsPage>[0]));
  });
  return router;
}
