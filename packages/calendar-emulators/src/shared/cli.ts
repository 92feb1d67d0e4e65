// What the emulators' command-line entry points share: a port from the environment, and running
// until SIGINT or SIGTERM closes the sandbox.

/** A port number from `name` in the environment, or `fallback`. */
export function envPort(name: string, fallback: string): number {
  const port = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a port number, got ${process.env[name]}`);
  }
  return port;
}

/** Runs `start`; the sandbox it returns is closed on SIGINT or SIGTERM, and the process then exits. */
export function runSandboxCli(start: () => Promise<{ close(): Promise<void> }>): void {
  start().then(
    (sandbox) => {
      const stop = (): void => {
        void sandbox.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
