import type { BenchEnvironment } from '../environment';
import { confirmBody } from '../service/confirm-body';
import { judgeWrittenEvents } from '../service/judge-written-events';
import type { BenchUser } from '../service/participants';
import { waitForWrittenEvents } from '../service/wait-for-events';
import { pacedSide, type PacedServiceSide } from './figures';
import { offerAtRate } from './offer';

/**
 * `count` confirms sent through the real HTTP API on a fixed schedule at `perSecond`, then every
 * participant's calendar read back from the sandbox, as in the service section.
 */
export async function runServicePaced(
  env: BenchEnvironment,
  o: { label: string; count: number; perSecond: number; tutors: BenchUser[]; clients: BenchUser[]; log: (line: string) => void },
): Promise<PacedServiceSide> {
  const prefix = `${env.runId}-${o.label}-`;
  const plans = Array.from({ length: o.count }, (_, i) => {
    const tutor = o.tutors[i % o.tutors.length]!;
    // The service section's pairing: a different client for each lap over the tutors.
    const client = o.clients[(i + Math.floor(i / o.tutors.length)) % o.clients.length]!;
    return { bookingId: `${prefix}${i}`, tutor, client, sentAt: 0, acceptedAt: 0 };
  });
  let refused = 0;
  const offers = await offerAtRate(o.count, o.perSecond, async (i) => {
    const p = plans[i]!;
    p.sentAt = Date.now();
    const answer = await env.api.operationUntilAnswered('confirmBooking', {
      params: { path: { bookingId: p.bookingId } },
      body: confirmBody(i, p.tutor.userId, p.client.userId),
    });
    if (answer.status === 202) p.acceptedAt = Date.now();
    else {
      refused += 1;
      o.log(`confirm ${p.bookingId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  });
  const accepted = plans.filter((p) => p.acceptedAt > 0);
  o.log(`${o.label}: ${accepted.length} confirms accepted, offered at ${offers.achievedPerSecond}/s`);
  await waitForWrittenEvents(env.pool, prefix, accepted.length * 2, 120_000, o.log);

  const verdict = await judgeWrittenEvents(env.sandbox, prefix, plans);
  return {
    ...pacedSide(
      offers,
      refused,
      verdict.latencies,
      accepted.map((p) => p.acceptedAt - p.sentAt),
    ),
    duplicates: verdict.duplicates,
    lost: verdict.lost + refused * 2,
  };
}
