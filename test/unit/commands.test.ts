import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/cli/commands';
import { UsageError } from '../../src/cli/usage';

describe('the command line of the built service', () => {
  it('serves in a role (all by default) or runs an operator command; anything else is a usage error naming it', () => {
    expect(parseCommand(undefined)).toEqual({ kind: 'serve', role: 'all' });
    expect(parseCommand('worker')).toEqual({ kind: 'serve', role: 'worker' });
    for (const command of ['migrate', 'reencrypt', 'keys', 'resync', 'booking', 'notifications', '--help'])
      expect(parseCommand(command)).toEqual({ kind: 'operator' });
    expect(() => parseCommand('migrations')).toThrow(UsageError);
    expect(() => parseCommand('migrations')).toThrow(/unknown command "migrations"/);
  });
});
