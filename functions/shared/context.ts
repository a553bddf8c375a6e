/**
 * The gateway: its config and every cache built from it (gateway keys, routes, upstreams, key
 * pools and health, prices, admin keys) and the clients those caches use (DynamoDB, KMS or the
 * local keyring, SQS). A module that keeps state across requests declares it with
 * `perGateway(make)`; the value lives in the gateway, made on first use from its config. So a
 * new gateway — a second local gateway in one test process, a test that wants a fresh execution
 * environment — starts with nothing cached, and there is no list of caches to reset.
 *
 * One gateway is installed per process: a Lambda entry installs the one built from its
 * environment at init (edge-config.ts), the local gateway installs the one it builds
 * (local/gateway.ts). The slot is a process global, like the `awslambda` global, so that esbuild
 * bundles loaded into a local process (the benchmarks) serve the gateway the local edge built.
 */
import { readConfig, type GatewayConfig } from './config.js';

export interface Gateway {
  readonly config: GatewayConfig;
  /** What each `perGateway` slot made for this gateway, made on first use. */
  readonly state: Map<Slot, unknown>;
}

interface Slot {
  /** A cache of store contents (forgetStoreViews drops it) rather than a client or work in flight. */
  readonly view: boolean;
}

// A process global, registered: a bundle's copy of this module finds what a source copy installed.
const CURRENT = Symbol.for('ezybus.gateway');
const global = globalThis as { [CURRENT]?: Gateway };

export function createGateway(config: GatewayConfig): Gateway {
  return { config, state: new Map() };
}

/** Makes `gw` the process's gateway (what every handler and operation now uses); returns it. */
export function installGateway(gw: Gateway): Gateway {
  return (global[CURRENT] = gw);
}

/** Installs `make()` unless a gateway is installed already (a local edge's, before it loaded the handlers). */
export function installGatewayOnce(make: () => Gateway): void {
  global[CURRENT] ??= make();
}

/** The installed gateway; with none installed (a unit test of a single module), one on the defaults. */
export function gateway(): Gateway {
  return (global[CURRENT] ??= createGateway(readConfig({})));
}

export function gatewayConfig(): GatewayConfig {
  return gateway().config;
}

/**
 * Drops every cached view of the store (keys, routes, upstreams, key pools and health, prices),
 * so the next request reads the store again; clients, the keyring and writes in flight stay.
 */
export function forgetStoreViews(gw: Gateway = gateway()): void {
  for (const slot of gw.state.keys()) if (slot.view) gw.state.delete(slot);
}

/**
 * State that outlives a request, owned by the installed gateway: `make` runs once per gateway,
 * on first use. `view`: a cache of store contents, which forgetStoreViews drops.
 */
export function perGateway<T>(make: (config: GatewayConfig) => T, view = false): () => T {
  const slot: Slot = { view };
  return () => {
    const gw = gateway();
    let v = gw.state.get(slot) as T | undefined;
    if (v === undefined) gw.state.set(slot, (v = make(gw.config)));
    return v;
  };
}
