/**
 * `node dist/cli/healthcheck.js`: the image's HEALTHCHECK. Asks /readyz on this container's API
 * port (PORT, default 3000) and on a worker's METRICS_PORT, whichever the role serves; exits 0
 * when one answers 200, 1 otherwise. Plain Node (fetch), since slim images carry no curl.
 */
const TIMEOUT_MS = 4_000;

async function ready(port: string): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return res.status === 200;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const ports = [process.env.PORT || '3000', process.env.METRICS_PORT].filter((p): p is string => p !== undefined && /^\d+$/.test(p));
  const answers = await Promise.all([...new Set(ports)].map(ready));
  process.exit(answers.some(Boolean) ? 0 : 1);
}

void main();
