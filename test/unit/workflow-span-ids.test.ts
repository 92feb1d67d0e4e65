import { afterEach, describe, expect, it, vi } from 'vitest';
import { RunIdGenerator } from '../../src/telemetry/workflow-interceptors';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('workflow span ids', () => {
  it('are the same sequence for the same run (replay gives spans their first ids) and another for another run', () => {
    const draw = (runId: string) => {
      const ids = new RunIdGenerator(runId);
      return [ids.generateTraceId(), ids.generateSpanId(), ids.generateSpanId()];
    };
    const first = draw('8270f603-8b57-4102-b70d-e82199006f22');
    expect(draw('8270f603-8b57-4102-b70d-e82199006f22')).toEqual(first);
    expect(draw('49eda3d8-b22e-4c74-8a68-e72ff64a4786')).not.toEqual(first);
    expect(first[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(first[1]).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(first).size).toBe(3);
  });

  it("never draw from Math.random, the workflow's own sequence (uuid4)", () => {
    const random = vi.spyOn(Math, 'random');
    const ids = new RunIdGenerator('run');
    for (let i = 0; i < 100; i++) ids.generateSpanId();
    ids.generateTraceId();
    expect(random).not.toHaveBeenCalled();
  });
});
