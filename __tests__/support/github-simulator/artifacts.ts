// The Actions artifact service as @actions/artifact 6 really calls it (read in its source): the
// results service's twirp endpoints CreateArtifact and FinalizeArtifact, authorised by
// ACTIONS_RUNTIME_TOKEN (a JWT whose `scp` claim carries the run's and job's backend ids), and
// the Azure block-blob upload to the signed URL CreateArtifact returns (Put Block, Put Block
// List). What was uploaded can be read back, zip and all, to check it in tests.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface UploadedArtifact {
  id: number;
  name: string;
  expiresAt: string | null;
  /** The zip as committed to blob storage. */
  content: Buffer;
  /** What FinalizeArtifact reported, as checked against the content. */
  size: number;
  hash: string | null;
  finalized: boolean;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export class ArtifactService {
  readonly runBackendId = 'c0ffee00-0000-4000-8000-00000000run1';
  readonly jobBackendId = 'c0ffee00-0000-4000-8000-00000000job1';
  /** An unsigned JWT, as jwt-decode reads it (the client never verifies the signature). */
  readonly runtimeToken = [
    b64url({ alg: 'none', typ: 'JWT' }),
    b64url({
      scp: `Actions.GenericRead:00000000 Actions.Results:${this.runBackendId}:${this.jobBackendId}`,
    }),
    'sim',
  ].join('.');
  readonly uploaded: UploadedArtifact[] = [];
  /** The next CreateArtifact calls answer this error instead (a test of the failure path). */
  failCreate = 0;
  private blocks = new Map<number, Map<string, Buffer>>();
  private nextId = 7000;

  constructor(private readonly base: () => string) {}

  handles(path: string): boolean {
    return path.startsWith('/twirp/') || path.startsWith('/results-blob/');
  }

  handle(req: IncomingMessage, res: ServerResponse, raw: Buffer, url: URL): void {
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (url.pathname.startsWith('/results-blob/')) return this.blob(req, res, raw, url);
    if (req.headers.authorization !== `Bearer ${this.runtimeToken}`)
      return reply(401, { code: 'unauthenticated', msg: 'bad runtime token' });
    const method = url.pathname.split('/').pop();
    // The generated client sends proto field names (useProtoFieldName: snake_case).
    const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, string>;
    if (
      body.workflow_run_backend_id !== this.runBackendId ||
      body.workflow_job_run_backend_id !== this.jobBackendId
    )
      return reply(400, { code: 'invalid_argument', msg: 'backend ids do not match the token' });
    if (method === 'CreateArtifact') {
      if (this.failCreate > 0) {
        this.failCreate--;
        return reply(400, { code: 'invalid_argument', msg: 'artifact storage refused' });
      }
      if (this.uploaded.some((a) => a.name === body.name))
        return reply(409, { code: 'already_exists', msg: 'an artifact with this name exists' });
      const id = this.nextId++;
      this.uploaded.push({
        id,
        name: body.name!,
        expiresAt: (body.expires_at as string | undefined) ?? null,
        content: Buffer.alloc(0),
        size: 0,
        hash: null,
        finalized: false,
      });
      return reply(200, {
        ok: true,
        signed_upload_url: `${this.base()}/results-blob/devstoreaccount1/actions-results/${id}.zip?sig=sim&se=2099-01-01`,
      });
    }
    if (method === 'FinalizeArtifact') {
      const a = this.uploaded.find((x) => x.name === body.name && !x.finalized);
      if (!a) return reply(404, { code: 'not_found', msg: 'no such artifact' });
      const hash = (body.hash as unknown as string | undefined) ?? null;
      const actual = `sha256:${createHash('sha256').update(a.content).digest('hex')}`;
      if (Number(body.size) !== a.content.length || (hash !== null && hash !== actual))
        return reply(400, {
          code: 'invalid_argument',
          msg: 'size or hash does not match the upload',
        });
      a.size = a.content.length;
      a.hash = hash;
      a.finalized = true;
      return reply(200, { ok: true, artifact_id: String(a.id) });
    }
    return reply(404, { code: 'bad_route', msg: `no method ${method}` });
  }

  /** Azure Put Block / Put Block List / Put Blob on the signed URL. */
  private blob(req: IncomingMessage, res: ServerResponse, raw: Buffer, url: URL): void {
    const id = Number(/\/(\d+)\.zip$/.exec(url.pathname)?.[1]);
    const a = this.uploaded.find((x) => x.id === id);
    const done = (status: number) => {
      res.writeHead(status, {
        'x-ms-request-id': `sim-${Date.now()}`,
        'x-ms-version': '2024-08-04',
        etag: `"0x${id.toString(16)}"`,
        'last-modified': new Date().toUTCString(),
        'x-ms-request-server-encrypted': 'true',
        'content-length': '0',
      });
      res.end();
    };
    if (!a || url.searchParams.get('sig') !== 'sim' || req.method !== 'PUT') return done(403);
    const comp = url.searchParams.get('comp');
    const blocks = this.blocks.get(id) ?? new Map<string, Buffer>();
    this.blocks.set(id, blocks);
    if (comp === 'block') {
      blocks.set(url.searchParams.get('blockid')!, raw);
      return done(201);
    }
    if (comp === 'blocklist') {
      const ids = [
        ...raw.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)</g),
      ].map((m) => m[1]!);
      a.content = Buffer.concat(ids.map((b) => blocks.get(b) ?? Buffer.alloc(0)));
      return done(201);
    }
    a.content = raw;
    return done(201);
  }
}

/** The files of a zip (stored or deflated), read from its central directory. */
export async function unzip(zip: Buffer): Promise<Map<string, string>> {
  const { inflateRawSync } = await import('node:zlib');
  const files = new Map<string, string>();
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataAt, dataAt + size);
    if (!name.endsWith('/'))
      files.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}
