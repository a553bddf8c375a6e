/**
 * The Lambda edge's configuration, imported first by every Lambda entry: the one read of the
 * function's environment, at module init, into the frozen config, and the gateway built from
 * it installed for the process. Nothing on the request path reads `process.env`.
 *
 * A local edge (local/gateway.ts) installs the gateway it built before it loads the handlers,
 * so there the environment is not read at all.
 */
import { readConfig } from './config.js';
import { createGateway, installGatewayOnce } from './context.js';
import { tuneGc } from './runtime/gc-tuning.js';

installGatewayOnce(() => createGateway(readConfig(process.env)));
// Before any request allocates: V8's pretenuring off (runtime/gc-tuning.ts).
tuneGc();
