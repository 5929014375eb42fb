// Faults that are not one route's status: latency, rate limits, and failures of the second
// state write (after the dispatch), through dist/index.js.
import { describe, expect, it } from 'vitest';
import { deployRuns, stateFile } from '../support/scenario.js';
import { ROUTES, runCase, SCENARIOS } from '../support/reliability.js';

const { lowAllow } = SCENARIOS;
const statesOf = (r: { requests: { route: string | null; status: number }[] }, route: string) =>
  r.requests.filter((q) => q.route === route).map((q) => q.status);
const DISPATCH = ROUTES.dispatch.replace('POST ', '');
const COMPARE = ROUTES.compare.replace('GET ', '');

describe.concurrent('latency and rate limits', () => {
  it('2 s of latency on every request → ALLOW, one dispatch', async () => {
    const { first } = await runCase(lowAllow, {
      name: 'latency',
      route: '*',
      fault: { kind: 'latency', ms: 2000 },
      times: Number.POSITIVE_INFINITY,
    });
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.outputs.decision).toBe('ALLOW');
    const slowest = Math.min(...first.requests.map((q) => q.endedAt - q.startedAt));
    expect(slowest).toBeGreaterThanOrEqual(1900);
  });

  it.each([
    ['compare', ROUTES.compare, COMPARE],
    ['dispatch', ROUTES.dispatch, DISPATCH],
  ])(
    'a secondary rate limit (403 + retry-after: 1) on the %s → waited out, ALLOW, one dispatch',
    async (_, route, path) => {
      const { first } = await runCase(lowAllow, {
        name: 'secondary',
        route,
        fault: { kind: 'secondary-rate-limit', retryAfterSeconds: 1 },
        times: 1,
      });
      expect(first.exitCode, first.stdout).toBe(0);
      expect(statesOf(first, path).slice(0, 2)).toEqual([403, 200]);
    },
  );

  it('a secondary rate limit on the one GraphQL query of approvals → waited out, ALLOW, one dispatch', async () => {
    const { first } = await runCase(SCENARIOS.highApproved, {
      name: 'secondary',
      route: ROUTES.approvals,
      fault: { kind: 'secondary-rate-limit', retryAfterSeconds: 1 },
      times: 1,
    });
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.outputs.decision).toBe('ALLOW');
    const approvals = first.requests.filter((q) => q.operationId === 'graphql:Approvals');
    expect(approvals.map((q) => q.status)).toEqual([403, 200]);
  });

  it('a primary rate limit on the state read → fails closed before anything is read or written', async () => {
    const { first } = await runCase(
      lowAllow,
      {
        name: 'primary',
        route: ROUTES.readState,
        fault: { kind: 'primary-rate-limit', resetInSeconds: 3600 },
        times: Number.POSITIVE_INFINITY,
      },
      (r, p) => {
        expect(r.exitCode).not.toBe(0);
        expect(r.stdout).toMatch(/primary rate limit is exhausted until/);
        expect(r.requests.filter((q) => q.method !== 'POST' || q.route !== '/graphql')).toEqual([]);
        expect(deployRuns(p.sim, p.s)).toHaveLength(0);
      },
    );
    expect(first.exitCode).not.toBe(0);
  });

  it('a primary rate limit resetting in an hour, on the compare → fails closed: nothing written, no dispatch, says when', async () => {
    let headBefore: string | null = null;
    const { first } = await runCase(
      {
        ...lowAllow,
        async prepare(sim) {
          const p = await lowAllow.prepare(sim);
          headBefore = sim.git.readRef('refs/heads/booty-state');
          return p;
        },
      },
      {
        name: 'primary',
        route: ROUTES.compare,
        fault: { kind: 'primary-rate-limit', resetInSeconds: 3600 },
        times: Number.POSITIVE_INFINITY,
      },
      (r, p) => {
        expect(r.exitCode).not.toBe(0);
        expect(r.stdout).toMatch(/primary rate limit is exhausted until \d{4}-\d\d-\d\dT/);
        expect(p.sim.git.readRef('refs/heads/booty-state')).toBe(headBefore);
        expect(deployRuns(p.sim, p.s)).toHaveLength(0);
        // It gave up at once: the reset is beyond its patience.
        expect(statesOf(r, COMPARE)).toEqual([403]);
      },
    );
    expect(first.exitCode).not.toBe(0);
  });

  it('a primary rate limit on the dispatch → the claim is withdrawn, no dispatch, and a re-run deploys once', async () => {
    await runCase(
      lowAllow,
      {
        name: 'primary',
        route: ROUTES.dispatch,
        fault: { kind: 'primary-rate-limit', resetInSeconds: 3600 },
        times: Number.POSITIVE_INFINITY,
      },
      (r, p) => {
        expect(r.exitCode).not.toBe(0);
        expect(r.stdout).toContain('rate limit');
        expect(deployRuns(p.sim, p.s)).toHaveLength(0);
        const history = (stateFile(p.sim, 'release.json') as { deploy_history: { sha: string }[] })
          .deploy_history;
        expect(
          history.some((h) => h.sha === p.sha),
          'claim withdrawn',
        ).toBe(false);
      },
    );
  });
});

describe.concurrent('the second state write (after the dispatch)', () => {
  it('its response lost → the run is recorded once, ALLOW', async () => {
    const { first } = await runCase(lowAllow, {
      name: 'lost',
      route: ROUTES.writeState,
      fault: { kind: 'lost' },
      times: 1,
      skip: 1,
    });
    expect(first.exitCode, first.stdout).toBe(0);
  });

  it('503 persistently → the job fails after dispatching; the re-run finds the run and records it, no second dispatch', async () => {
    const { first, rerun } = await runCase(lowAllow, {
      name: '503',
      route: ROUTES.writeState,
      fault: { kind: 'status', status: 503 },
      times: Number.POSITIVE_INFINITY,
      skip: 1,
    });
    expect(first.exitCode).not.toBe(0);
    expect(rerun!.summary).toContain('recorded');
  });
});
