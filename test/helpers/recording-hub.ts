/**
 * A WebSub hub for tests: a real HTTP server on 127.0.0.1 (port 0) that records every publish ping it is sent.
 *
 *   const hub = await startRecordingHub();
 *   hub.answer(500, 500);          // the next two pings get 500, then the default (204)
 *   …
 *   hub.pings[0].topics;           // the hub.url values of the first request, in order
 *   await hub.close();
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedPing {
  /** performance.now() when the request's body had arrived. */
  at: number;
  method: string;
  contentType: string | undefined;
  headers: IncomingHttpHeaders;
  /** hub.mode */
  mode: string | null;
  /** Every hub.url value, in order. */
  topics: string[];
  /** The status this request was answered with. */
  status: number;
}

export type HubAnswer = number | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };

export interface RecordingHub {
  /** The hub's publish endpoint. */
  readonly url: string;
  readonly pings: RecordedPing[];
  /** Every topic pinged, over all requests, in order. */
  topics(): string[];
  /** The next requests get these answers, one each; then `defaultAnswer` again. */
  answer(...answers: HubAnswer[]): void;
  /** Answer for every request once the queued ones are used; 204 at start. */
  defaultAnswer: HubAnswer;
  /** Resolves once at least `n` pings have been recorded. */
  waitForPings(n: number, timeoutMs?: number): Promise<RecordedPing[]>;
  close(): Promise<void>;
}

export async function startRecordingHub(path = '/hub'): Promise<RecordingHub> {
  const pings: RecordedPing[] = [];
  const queue: HubAnswer[] = [];
  const waiters: Array<() => void> = [];
  const timers = new Set<NodeJS.Timeout>();

  const hub: RecordingHub = {
    url: '',
    pings,
    topics: () => pings.flatMap((p) => p.topics),
    answer: (...answers) => void queue.push(...answers),
    defaultAnswer: 204,
    waitForPings(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`hub got ${pings.length} pings, waited for ${n}`)), timeoutMs);
        const check = () => {
          if (pings.length >= n) {
            clearTimeout(deadline);
            resolve(pings);
          } else waiters.push(check);
        };
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const server = createServer(function handleHubRequest(req, res) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if ((req.url ?? '').split('?')[0] !== path) {
        res.writeHead(404).end();
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const answer = queue.shift() ?? hub.defaultAnswer;
      const spec = typeof answer === 'number' ? { status: answer } : answer;
      pings.push({
        at: performance.now(),
        method: req.method ?? '',
        contentType: req.headers['content-type'],
        headers: req.headers,
        mode: form.get('hub.mode'),
        topics: form.getAll('hub.url'),
        status: spec.status,
      });
      for (const wake of waiters.splice(0)) wake();
      const respond = () => res.writeHead(spec.status, spec.headers).end(spec.body ?? '');
      if (spec.delayMs) {
        const t = setTimeout(respond, spec.delayMs);
        timers.add(t);
      } else respond();
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  (hub as { url: string }).url = `http://127.0.0.1:${port}${path}`;
  return hub;
}
