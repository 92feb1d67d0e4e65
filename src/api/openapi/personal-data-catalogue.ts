import type { RouteDoc } from './catalogue';
import { invalid, keyed } from './common-responses';
import { userErasureSchema } from '../responses/personal-data';
import { removeEventsQuerySchema } from '../schemas';

/** Personal data: erasing a user (retention runs by itself, as a Temporal schedule). */
export const PERSONAL_DATA_ROUTES: RouteDoc[] = [
  {
    method: 'delete',
    path: '/v1/users/:userId',
    tag: 'Personal data',
    operationId: 'eraseUser',
    summary:
      "Erase a user: every calendar account is disconnected (grant revoked, tokens erased; with `?removeEvents=true` the events this service wrote are removed first), the user's settings and feed links stop working, every row naming the user is deleted (connections, event links, busy times, sync log, notifications, invitation records, connect flows and attempts) and the user is taken out of the bookings they took part in (and out of those bookings' running workflows; a booking left without participants is cancelled here). A record without personal data stays (the user's id hashed under a server key, when, row counts). Runs as a workflow, so it finishes after a crash or restart; asking again is harmless (a running erasure is joined, a finished one finds nothing left). Answers `{userId, status: 'erasing' | 'erased', removeEvents, connections, erased?}`; `erased` (rows removed per kind) once finished. A later booking or connect for the same id starts afresh",
    auth: 'apiKey',
    query: removeEventsQuerySchema,
    responses: {
      200: '`status: erased`: finished (an unknown user too)',
      202: '`status: erasing`: still disconnecting calendar accounts; ask again to see it finish',
      ...invalid,
      ...keyed,
    },
    bodies: { 200: { json: userErasureSchema }, 202: { json: userErasureSchema } },
  },
];
