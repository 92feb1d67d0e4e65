import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Debian's Chromium for the browser tests, installed with apt when missing (CI machines start
 * without it; the suite runs as root there). Returns the executable path.
 */
export function ensureChromium(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error('Chromium is not installed: run `sudo apt-get install -y chromium` (the browser test needs it).');
  }
  log('Installing Chromium from Debian for the browser test (apt-get, first run only)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Browser test files start in parallel processes: one installs while the others wait for its
  // lock and then find it installed (two apt-gets at once fail on dpkg's lock).
  const install = `[ -x ${CANDIDATES[0]} ] || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; }`;
  execFileSync('flock', ['/tmp/calsync-chromium-install.lock', 'sh', '-c', install], { stdio: 'inherit', env });
  const installed = CANDIDATES.find((p) => existsSync(p));
  if (!installed) throw new Error('apt-get installed chromium but no executable was found');
  return installed;
}

/** Flags for a headless Chromium on a machine with no network but loopback. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Headless Chromium as every browser test runs it. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}
