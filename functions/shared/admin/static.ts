/**
 * Serves the console's built files (console/build.ts output) from the admin function: in Lambda
 * from the `console/` folder bundled beside the handler, locally from the folder `npm start`
 * builds. Files are read once per execution environment and gzipped once; asset names carry a
 * content hash, so CloudFront and browsers may keep them for a year, while index.html is
 * revalidated on every load.
 */
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fs } from '../runtime/builtins.js';

interface File {
  type: string;
  raw: Buffer;
  gz: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

// The console talks only to its own origin; nothing inline but styles uPlot sets.
const SECURITY = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

let files: Map<string, File> | undefined;
let loadedFrom: string | undefined;

function load(dir: string): Map<string, File> {
  if (files && loadedFrom === dir) return files;
  const out = new Map<string, File>();
  const walk = (d: string, rel: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full, `${rel}${e.name}/`);
      else {
        const type = TYPES[extname(e.name)];
        if (!type) continue;
        const raw = fs.readFileSync(full);
        out.set(`${rel}${e.name}`, { type, raw, gz: gzipSync(raw, { level: 9 }) });
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  files = out;
  loadedFrom = dir;
  return out;
}

export interface StaticResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/** `path` is the request path starting with /console. */
export function serveConsole(path: string, dir: string, acceptEncoding: string | undefined): StaticResponse {
  if (path === '/console') return { status: 308, headers: { location: '/console/' }, body: '' };
  const rel = path.slice('/console/'.length) || 'index.html';
  const f = load(dir).get(rel);
  if (!f) {
    if (!load(dir).size) return { status: 503, headers: { 'content-type': 'text/plain' }, body: 'The console has not been built (node --import tsx console/build.ts).' };
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: `No console file ${rel}` };
  }
  const gzip = /\bgzip\b/.test(acceptEncoding ?? '');
  return {
    status: 200,
    headers: {
      'content-type': f.type,
      'cache-control': rel === 'index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...SECURITY,
    },
    body: gzip ? f.gz : f.raw,
  };
}
