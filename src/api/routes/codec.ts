import { temporal } from '@temporalio/proto';
import cors from 'cors';
import express, { Router, type RequestHandler } from 'express';
import { apiKeyMatcher } from '../auth';
import { ApiError } from '../errors';
import { codecPayloadsSchema as payloadsSchema } from '../schemas';
import { PayloadKeyUnavailableError, type DisplayCodec } from '../../temporal/payload-codec';
import { codecPayloadsAnswerSchema } from '../responses/operations';
import { sendJson } from '../send-json';
import { parseBody } from '../validate';

export interface CodecRouteDeps {
  /** Plain payloads are shown as they are (they are readable in the history already); the worker refuses them. */
  codec: DisplayCodec;
  /** CODEC_API_KEYS: they open the codec alone; the booking system's API_KEYS do not open it. */
  codecKeys: string[];
  /** Web UI origins allowed by CORS. */
  uiOrigins: string[];
  /**
   * CODEC_OPEN_IN_DEVELOPMENT (development only, set by `npm start`): the local dev server's Web UI
   * cannot send a key, so requests from its origin on this machine are served without one.
   */
  trustUiOriginWithoutKey: boolean;
}

const CODEC_BODY_LIMIT = '8mb';

/**
 * The Temporal codec server (`/codec/encode`, `/codec/decode`): lets the Web UI and the CLI
 * (`--codec-endpoint … --codec-auth "Bearer <key>"`) show payloads this service encrypted.
 * It needs a codec key (CODEC_API_KEYS), since decoding reveals what the histories keep secret;
 * the booking system's API keys do not open it, so holding one never means reading every history.
 */
export function codecRoutes({ codec, codecKeys, uiOrigins, trustUiOriginWithoutKey }: CodecRouteDeps): Router {
  const router = Router();
  const keys = apiKeyMatcher(codecKeys);
  const allowCors = cors({
    origin: uiOrigins,
    methods: ['POST'],
    allowedHeaders: ['authorization', 'content-type', 'x-namespace'],
    credentials: true,
    maxAge: 600,
  });
  const authorize: RequestHandler = (req, _res, next) => {
    const origin = req.get('origin');
    // Development only, and only from this machine: an Origin header alone proves nothing.
    const local = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? '');
    if (trustUiOriginWithoutKey && local && origin !== undefined && uiOrigins.includes(origin)) return next();
    next(
      keys.keyOf(req)
        ? undefined
        : new ApiError(401, 'unauthorized', 'the codec needs a codec key, one of CODEC_API_KEYS (Authorization: Bearer <key>)'),
    );
  };

  router.options(['/codec/encode', '/codec/decode'], allowCors);
  for (const [path, op] of [
    ['/codec/encode', (p: temporal.api.common.v1.IPayload[]) => codec.encode(p)],
    ['/codec/decode', (p: temporal.api.common.v1.IPayload[]) => codec.decodeForDisplay(p)],
  ] as const) {
    // Histories can be large: this route parses its own JSON with a higher limit.
    router.post(path, allowCors, authorize, express.json({ limit: CODEC_BODY_LIMIT }), async (req, res) => {
      const body = parseBody(req, payloadsSchema);
      const input = temporal.api.common.v1.Payloads.fromObject(body).payloads;
      let output: temporal.api.common.v1.IPayload[];
      try {
        output = await op(input);
      } catch (err) {
        // A key id is no secret (it is in the payload's metadata); naming it tells the operator which key to put back.
        if (err instanceof PayloadKeyUnavailableError) throw new ApiError(400, 'payload_key_unavailable', err.message);
        throw new ApiError(400, 'codec_failed', `the payloads could not be processed (${err instanceof Error ? err.name : 'error'})`);
      }
      sendJson(
        res,
        200,
        codecPayloadsAnswerSchema,
        temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create({ payloads: output }), { bytes: String }),
      );
    });
  }
  return router;
}
