/**
 * Another execution environment of the same function, in this process: a gateway on the same
 * config with nothing cached (no keys, routes, pools or key health of the one it replaces), the
 * store its only link to the others.
 */
import { createGateway, gatewayConfig, installGateway, type Gateway } from '../../functions/shared/context.js';

export function newEnvironment(): Gateway {
  return installGateway(createGateway(gatewayConfig()));
}
