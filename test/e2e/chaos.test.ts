import { describe, expect, it } from 'vitest';
import type { ChaosReport } from '../../tools/chaos/run';
import { runScript } from '../support/script-process';

/** Runs `npm run chaos` and reads the JSON report it prints last. */
async function chaos(args: string[]): Promise<{ code: number | null; report: ChaosReport | undefined; stderr: string }> {
  const { code, stdout, stderr } = await runScript('tools/chaos/run.ts', args);
  const last = stdout.trim().split('\n').pop();
  try {
    return { code, report: last ? (JSON.parse(last) as ChaosReport) : undefined, stderr };
  } catch {
    return { code, report: undefined, stderr };
  }
}

describe('chaos', () => {
  it(
    'loses, duplicates, misplaces and leaves behind no booking change under provider faults, a worker and an API SIGKILL, a Temporal restart and dropped database connections',
    { timeout: 20 * 60_000 },
    async () => {
      const run = await chaos([
        '--bookings',
        '60',
        '--fault-rate',
        '0.2',
        '--worker-kills',
        '1',
        '--api-kills',
        '1',
        '--server-restarts',
        '1',
        '--db-drops',
        '1',
        '--seed',
        '42',
      ]);
      expect(run.report, run.stderr.slice(-3000)).toBeDefined();
      const r = run.report!;
      // The disruptions happened and the faults were injected: the run proved something.
      expect({ workerKills: r.workerKills, apiKills: r.apiKills, serverRestarts: r.serverRestarts, dbDrops: r.dbDrops }).toEqual({
        workerKills: 1,
        apiKills: 1,
        serverRestarts: 1,
        dbDrops: 1,
      });
      expect(r.faultsInjected).toBeGreaterThan(10);
      expect(r.operations).toBeGreaterThanOrEqual(60);
      // Later versions changed titles and participants, so the verdict checked more than times.
      expect(r.retitled).toBeGreaterThan(0);
      expect(r.recast).toBeGreaterThan(0);
      expect({ lost: r.lost, duplicates: r.duplicates, wrong: r.wrong, stray: r.stray }, run.stderr.slice(-3000)).toEqual({
        lost: 0,
        duplicates: 0,
        wrong: 0,
        stray: 0,
      });
      expect(r.convergedSeconds).not.toBeNull();
      expect(run.code).toBe(0);
    },
  );
});
