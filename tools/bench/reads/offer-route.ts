import type { BenchEnvironment } from '../environment';
import { latencyFigures, perSecond, round2, type LatencyFigures } from '../figures';
import { offerAtRate, offersFor } from '../paced/offer';
import { measureCpu } from '../process-stats';
import { serviceCpuGroups } from '../service/run';
import type { ReadRoute } from './requests';

/** One read route offered at a fixed rate. */
export interface ReadRouteFigures {
  route: string;
  offeredPerSecond: number;
  /** Requests sent: offeredPerSecond × seconds. */
  offers: number;
  /** The rate requests really went out at (below the offered rate when the driver fell behind). */
  sentPerSecond: number;
  /** Answers per second, from the first request sent to the last answer received. */
  achievedPerSecond: number;
  status2xx: number;
  /** Any other answer, 429 included, or none (a network error or a 30 s timeout): must be 0. */
  non2xx: number;
  /** 200s whose content disagrees with the stored intervals: must be 0. */
  wrong: number;
  /** From sending the request to its parsed body, every request (2xx or not). */
  latencyMs: LatencyFigures;
  /** CPU seconds used while the rate was offered, by process group (the bench's own driver included). */
  cpuSeconds: Record<string, number>;
  /** The API's and PostgreSQL's CPU per request while the rate was offered. */
  serviceCpuMsPerRequest: number;
}

/** Offers `route` open loop at `perSecond` for `seconds` (see offerAtRate) and judges every answer. */
export async function offerRoute(
  env: BenchEnvironment,
  route: ReadRoute,
  o: { perSecond: number; seconds: number; log: (line: string) => void },
): Promise<ReadRouteFigures> {
  const count = offersFor(o.perSecond, o.seconds);
  const latencies: number[] = [];
  let status2xx = 0;
  let non2xx = 0;
  let wrong = 0;
  let lastAnswerAt = 0;
  const cpu = measureCpu(serviceCpuGroups(env));
  const startedAt = performance.now();
  const sent = await offerAtRate(count, o.perSecond, async (i) => {
    const t = performance.now();
    const outcome = await route.send(i);
    lastAnswerAt = performance.now();
    latencies.push(lastAnswerAt - t);
    if (outcome.status >= 200 && outcome.status < 300) status2xx += 1;
    else {
      non2xx += 1;
      if (non2xx <= 5) o.log(`reads: ${route.label} answered ${outcome.status}`);
    }
    if (outcome.wrong !== undefined) {
      wrong += 1;
      if (wrong <= 5) o.log(`reads: ${route.label} wrong: ${outcome.wrong}`);
    }
  });
  const cpuSeconds = cpu.stop();
  return {
    route: route.label,
    offeredPerSecond: o.perSecond,
    offers: sent.offers,
    sentPerSecond: sent.achievedPerSecond,
    achievedPerSecond: perSecond(latencies.length, lastAnswerAt - startedAt),
    status2xx,
    non2xx,
    wrong,
    latencyMs: latencyFigures(latencies),
    cpuSeconds,
    serviceCpuMsPerRequest: round2((((cpuSeconds.api ?? 0) + (cpuSeconds.postgres ?? 0)) * 1000) / Math.max(1, count)),
  };
}
