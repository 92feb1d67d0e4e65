/** The workflow's current time as an ISO string: Date.now() in a workflow is the replay-safe workflow clock. */
export function nowIso(): string {
  return new Date(Date.now()).toISOString();
}
