/**
 * node:http and node:https as their CommonJS objects.
 *
 * Why not `import http from 'node:http'`: an ESM import of a built-in builds a namespace of
 * every export, and reading node:http's lazy `WebSocket`, `CloseEvent` and `MessageEvent`
 * exports loads undici — about 25 ms of every cold start on Node 24, for a client EzyBus never
 * uses. `process.getBuiltinModule` (Node ≥ 22.3) hands over the module object untouched.
 * node:fs likewise (its ESM namespace costs ~3 ms; only the local keyring reads a file).
 */
export const http = process.getBuiltinModule('node:http');
export const https = process.getBuiltinModule('node:https');
export const fs = process.getBuiltinModule('node:fs');
