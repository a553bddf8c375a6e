/**
 * The Node built-ins the functions use, as their CommonJS objects.
 *
 * Why not `import { x } from 'node:…'`: an ESM import of a built-in builds a namespace of every
 * export, and that reads every lazy export. node:http's lazy `WebSocket`, `CloseEvent` and
 * `MessageEvent` load undici (about 25 ms of a cold start on Node 24, for a client EzyBus never
 * uses); node:crypto's load WebCrypto (≈ 1.5 ms), node:fs's its promises API (≈ 3 ms).
 * `process.getBuiltinModule` (Node ≥ 20.16 and ≥ 22.3; Lambda's nodejs24.x has it) hands over
 * the module object untouched and reads nothing. `import type` stays free: it is erased.
 */
export const http = process.getBuiltinModule('node:http');
export const https = process.getBuiltinModule('node:https');
export const fs = process.getBuiltinModule('node:fs');
export const crypto = process.getBuiltinModule('node:crypto');
export const events = process.getBuiltinModule('node:events');
export const stream = process.getBuiltinModule('node:stream');
export const path = process.getBuiltinModule('node:path');
export const stringDecoder = process.getBuiltinModule('node:string_decoder');
