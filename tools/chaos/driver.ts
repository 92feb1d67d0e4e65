import { sleep } from '../dev/child-processes';
import type { ApiAnswer, ServiceApiClient } from '../support/service-api-client';
import type { BookingOp, BookingPlan } from './scenario';

/** One change, delivered by its operation until the API answers (retried on network errors and 5xx). */
function deliver(api: ServiceApiClient, plan: BookingPlan, op: BookingOp): Promise<ApiAnswer> {
  const params = { path: { bookingId: plan.bookingId } };
  if (op.kind === 'confirm') {
    const { title, description, location, meetingUrl, participants } = op.details;
    return api.operationUntilAnswered('confirmBooking', {
      params,
      body: {
        version: op.version,
        title,
        description,
        location,
        meetingUrl,
        start: op.start,
        end: op.end,
        timeZone: 'Europe/London',
        participants,
      },
    });
  }
  if (op.kind === 'reschedule')
    return api.operationUntilAnswered('rescheduleBooking', { params, body: { version: op.version, start: op.start, end: op.end } });
  return api.operationUntilAnswered('cancelBooking', { params, body: { version: op.version } });
}

export interface DriveProgress {
  operations: number;
}

/**
 * Delivers every booking's changes as a booking system would: each in its (shuffled) order,
 * retried on network errors and 5xx; a change the API refuses with 404 because it overtook its
 * booking's confirm is delivered again later. 202 (and 409 for a change to a booking already
 * cancelled) ends a delivery.
 */
export async function driveBookings(
  api: ServiceApiClient,
  plans: BookingPlan[],
  concurrency: number,
  ratePerSecond: number,
  progress: DriveProgress,
): Promise<void> {
  let next = 0;
  let sent = 0;
  const started = Date.now();
  // A steady flow, as from a booking system, so disruptions land while requests are in flight.
  const pace = async () => {
    const due = started + (sent++ * 1000) / ratePerSecond;
    if (due > Date.now()) await sleep(due - Date.now());
  };
  const worker = async () => {
    while (next < plans.length) {
      const plan = plans[next++]!;
      const queue = [...plan.deliveries];
      let parked = 0;
      while (queue.length > 0) {
        const op = queue.shift()!;
        await pace();
        const answer = await deliver(api, plan, op);
        progress.operations += 1;
        if (answer.status === 404 && parked < 20) {
          parked += 1;
          queue.push(op);
          continue;
        }
        if (answer.status !== 202 && answer.status !== 409) {
          throw new Error(`${op.kind} v${op.version} of ${plan.bookingId}: unexpected ${answer.status} ${JSON.stringify(answer.body)}`);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
