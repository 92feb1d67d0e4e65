import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../src/api/openapi/document';

// Checks an answer of the service against /openapi.json: the route and method are documented,
// the status is one the operation lists, the media type is the documented one and the body
// matches the documented schema. Where a status has no `content` (a description only) just the
// status is checked; where a media type has no schema, the status and the media type.

type Json = Record<string, unknown>;

export interface ObservedResponse {
  method: string;
  /** The request path; a query string is ignored. */
  path: string;
  status: number;
  /** The Content-Type header as sent (parameters such as charset are ignored). */
  contentType: string | null;
  /** The parsed JSON body, or the text for other media types; undefined for an empty body. */
  body: unknown;
}

export type ValidationResult = { ok: true } | { ok: false; message: string };

const DOCUMENT_ID = 'urn:calsync:openapi';
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

interface PathTemplate {
  template: string;
  pattern: RegExp;
  /** Literal segments win over `{param}` ones (`/v1/x/search` before `/v1/x/{id}`). */
  params: number;
}

export interface OpenApiValidator {
  validate(observed: ObservedResponse): ValidationResult;
}

/** A JSON pointer's segments, escaped (RFC 6901). */
function pointer(segments: string[]): string {
  return segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function resolvePointer(doc: Json, ref: string): { value: unknown; at: string[] } {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported, got ${ref}`);
  const at = ref
    .slice(2)
    .split('/')
    .map((s) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~'));
  let value: unknown = doc;
  for (const key of at) value = (value as Json | undefined)?.[key];
  if (value === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return { value, at };
}

function mediaTypeOf(contentType: string | null): string | undefined {
  const media = contentType?.split(';')[0]?.trim().toLowerCase();
  return media ? media : undefined;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `  ${e.instancePath || '(body)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`).join('\n');
}

function excerpt(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text === undefined ? '(empty)' : text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** A validator for `doc` (by default the document the service serves). */
export function createOpenApiValidator(doc: Json = openApiDocument({ version: 'test', serverUrl: 'http://localhost' })): OpenApiValidator {
  // strict off: the document is added whole (with `paths`, `openapi`, …) so that its schemas'
  // `$ref`s to `#/components/schemas/…` resolve; only the parts under a response are compiled.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOCUMENT_ID });
  const compiled = new Map<string, ValidateFunction>();
  const schemaAt = (at: string[]): ValidateFunction => {
    const ref = `${DOCUMENT_ID}#${pointer(at)}`;
    let fn = compiled.get(ref);
    if (!fn) {
      fn = ajv.compile({ $ref: ref });
      compiled.set(ref, fn);
    }
    return fn;
  };

  const paths = (doc.paths ?? {}) as Record<string, Json>;
  const templates: PathTemplate[] = Object.keys(paths)
    .map((template) => {
      const params = (template.match(/\{[^}]+\}/g) ?? []).length;
      const source = template
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return { template, pattern: new RegExp(`^${source}$`), params };
    })
    .sort((a, b) => a.params - b.params);

  const notFoundDocumented = Boolean(((doc.components as Json | undefined)?.responses as Json | undefined)?.NotFound);

  function checkContent(where: string, response: Json, at: string[], observed: ObservedResponse): ValidationResult {
    // A response object may be a $ref to components.responses (its own description beside it).
    let object = response;
    let location = at;
    while (typeof object.$ref === 'string') {
      const resolved = resolvePointer(doc, object.$ref);
      object = resolved.value as Json;
      location = resolved.at;
    }
    const content = object.content as Record<string, Json> | undefined;
    if (!content) return { ok: true };
    const media = mediaTypeOf(observed.contentType);
    const documented = Object.keys(content);
    const key = documented.find((k) => k.toLowerCase() === media);
    if (!key)
      return {
        ok: false,
        message: `${where}: media type ${media ?? '(none)'} is not documented; expected ${documented.join(' or ')}`,
      };
    if (!content[key]!.schema) return { ok: true };
    const validate = schemaAt([...location, 'content', key, 'schema']);
    if (validate(observed.body)) return { ok: true };
    return {
      ok: false,
      message: `${where}: the ${key} body does not match the documented schema:\n${formatErrors(validate.errors)}\nbody: ${excerpt(observed.body)}`,
    };
  }

  return {
    validate(observed) {
      const path = observed.path.split('?')[0]!;
      const method = observed.method.toLowerCase();
      const where = `${observed.method.toUpperCase()} ${path} → ${observed.status}`;
      const template = templates.find((t) => t.pattern.test(path) && METHODS.has(method) && paths[t.template]![method]);
      if (!template) {
        // Routes that do not exist cannot be documented; the service answers them with the shared
        // 404 problem, and only that answer passes here.
        if (observed.status === 404 && notFoundDocumented)
          return checkContent(`${where} (no such route)`, { $ref: '#/components/responses/NotFound' }, [], observed);
        return { ok: false, message: `${where}: ${observed.method.toUpperCase()} ${path} is not in the document` };
      }
      const operation = paths[template.template]![method] as Json;
      const responses = (operation.responses ?? {}) as Record<string, Json>;
      const status = String(observed.status);
      const key = [status, `${status[0]}XX`, 'default'].find((k) => responses[k] !== undefined);
      if (!key)
        return {
          ok: false,
          message: `${where}: status ${status} is not documented for ${method.toUpperCase()} ${template.template} (documented: ${Object.keys(responses).join(', ')})`,
        };
      return checkContent(
        `${where} (${method.toUpperCase()} ${template.template})`,
        responses[key]!,
        ['paths', template.template, method, 'responses', key],
        observed,
      );
    },
  };
}
