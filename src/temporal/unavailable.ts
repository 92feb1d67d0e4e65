/** gRPC statuses of a Temporal frontend that cannot be reached or did not answer in time. */
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/**
 * Whether `err` (or an error it wraps, as the client's ServiceError wraps the gRPC error) says
 * the Temporal server is unreachable: the API answers 503 `temporal_unavailable` for these.
 */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const grpc = e as { code?: unknown; metadata?: unknown };
    if (grpc.metadata !== undefined && (grpc.code === UNAVAILABLE || grpc.code === DEADLINE_EXCEEDED)) return true;
  }
  return false;
}
