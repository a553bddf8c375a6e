/**
 * node:http and node:https as their CommonJS objects.
 *
 * Why not `import http from 'node:http'`: an ESM import of a built-in builds a namespace of
 * every export, and reading node:http's lazy `WebSocket`, `CloseEvent` and `MessageEvent`
 * exports loads undici — about 25 ms of every cold start on Node 24, for a client EzyBus never
 * uses. `process.getBuiltinModule` (Node ≥ 22.3; Lambda's nodejs24.x has it) hands over the
 * module object untouched; an older Node on an operator's machine gets the same object
 * through `require`. node:fs likewise (its ESM namespace costs ~3 ms; only the local keyring
 * reads a file).
 */
import { createRequire } from 'node:module';

type Loader = typeof process.getBuiltinModule;
const load: Loader =
  typeof process.getBuiltinModule === 'function'
    ? process.getBuiltinModule.bind(process)
    : (createRequire(import.meta.url) as unknown as Loader);

export const http = load('node:http');
export const https = load('node:https');
export const fs = load('node:fs');
