// Fault injection, per route. A route is `METHOD /template` exactly as the OpenAPI description
// spells it (for example `PATCH /repos/{owner}/{repo}/git/refs/{ref}`), `*` for every route, or
// for GraphQL `POST /graphql` (every document) or `POST /graphql WriteState` (one operation).

export type Fault =
  /** Answer with `status` instead of handling the request. */
  | { kind: 'status'; status: number; message?: string }
  /** Handle the request (its effect happens), then answer 502: the client never learns. */
  | { kind: 'lost' }
  /** Wait this long, then handle the request normally. */
  | { kind: 'latency'; ms: number }
  /** GitHub's secondary rate limit: 403 with retry-after. */
  | { kind: 'secondary-rate-limit'; retryAfterSeconds: number }
  /**
   * A GraphQL answer (HTTP 200) with an error list instead of data, after running `before` (a
   * test moves the state branch there to play another writer winning the race).
   */
  | { kind: 'graphql-error'; type?: string; message: string; before?: () => void }
  /** GitHub's primary rate limit: 403 with x-ratelimit-remaining 0 and a reset time. */
  | { kind: 'primary-rate-limit'; resetInSeconds: number };

export interface FaultRule {
  route: string;
  fault: Fault;
  /** How many requests it applies to; Infinity for every one. */
  remaining: number;
  /** How many requests it applied to so far. */
  hits: number;
  /** Matching requests to let through before it applies (0: the first one). */
  skip: number;
}

export class FaultTable {
  private readonly rules: FaultRule[] = [];

  add(route: string, fault: Fault, times = 1, skip = 0): FaultRule {
    const rule: FaultRule = { route, fault, remaining: times, hits: 0, skip };
    this.rules.push(rule);
    return rule;
  }

  clear(): void {
    this.rules.length = 0;
  }

  /**
   * Takes the faults that apply to a request known by these route keys (latency can combine
   * with one other fault).
   */
  take(...routes: string[]): Fault[] {
    const taken: Fault[] = [];
    let terminal = false;
    for (const rule of this.rules) {
      if (rule.remaining <= 0) continue;
      if (rule.route !== '*' && !routes.includes(rule.route)) continue;
      if (rule.skip > 0) {
        rule.skip -= 1;
        continue;
      }
      const isLatency = rule.fault.kind === 'latency';
      if (!isLatency && terminal) continue;
      rule.remaining -= 1;
      rule.hits += 1;
      taken.push(rule.fault);
      if (!isLatency) terminal = true;
    }
    return taken;
  }
}
