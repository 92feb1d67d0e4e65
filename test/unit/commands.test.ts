import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/cli/commands';
import { ConfigError } from '../../src/config';

describe('the command line of the built service', () => {
  it('serves in a role (all by default) or runs a job; anything else is named as unknown', () => {
    expect(parseCommand(undefined)).toEqual({ kind: 'serve', role: 'all' });
    expect(parseCommand('worker')).toEqual({ kind: 'serve', role: 'worker' });
    expect(parseCommand('migrate')).toEqual({ kind: 'job', job: 'migrate' });
    expect(parseCommand('reencrypt')).toEqual({ kind: 'job', job: 'reencrypt' });
    expect(() => parseCommand('migrations')).toThrow(ConfigError);
    expect(() => parseCommand('migrations')).toThrow(/unknown command "migrations".*migrate or reencrypt/);
  });
});
