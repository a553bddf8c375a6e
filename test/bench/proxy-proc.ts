/**
 * Benchmark child: the floor — a bare Node http proxy hop with keep-alive upstream connections,
 * no parsing, no auth, piping bytes both ways.
 */
import { writeSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const target = new URL(process.env.BENCH_TARGET as string);
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
const server = createServer((req, res) => {
  const up = request(
    { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host }, agent },
    (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    },
  );
  up.on('error', () => res.destroy());
  req.pipe(up);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  writeSync(3, JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }) + '\n');
});
process.once('SIGTERM', () => process.exit(0));
