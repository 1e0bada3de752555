import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a fake received: method, path with query, headers and the raw body. */
export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A loopback HTTP server for a provider's fake: `answer` decides each reply; requests whose
 * answer is `hang` get none (a provider that does not answer: the client's timeout fires).
 */
export async function loopbackServer(
  answer: (req: Received) => { status: number; json: unknown } | 'hang',
): Promise<{ url: string; close(): Promise<void> }> {
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      let a: ReturnType<typeof answer>;
      try {
        a = answer(r);
      } catch (err) {
        a = { status: 500, json: { error: String(err) } };
      }
      if (a === 'hang') {
        hanging.add(res);
        return;
      }
      res.statusCode = a.status;
      res.setHeader('content-type', 'application/json;charset=utf-8');
      res.end(JSON.stringify(a.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
