// A health endpoint on 127.0.0.1 for the post-deploy checks of SPEC §15, stopped after each test.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

const servers: Server[] = [];

/** Stops every endpoint a test started (call once at the top of the file). */
export function useHealthEndpoints(): void {
  afterEach(async () => {
    for (const x of servers.splice(0)) {
      x.closeAllConnections();
      await new Promise((r) => x.close(r));
    }
  });
}

/** An endpoint that answers every probe with `status` (or what it returns at the time); its URL. */
export async function healthEndpoint(status: number | (() => number)): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(typeof status === 'number' ? status : status(), { 'content-type': 'text/plain' });
    res.end('health\n');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
}
