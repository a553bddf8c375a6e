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
  /**
   * Drops every cached view of the store (keys, routes, upstreams, key pools and health,
   * prices), so the next request reads the store again; clients and the keyring are kept.
   */
  forgetStoreViews(): void;
}

/** What a slot holds in a gateway; the gateway's Map is private to this module. */
interface Slots {
  readonly values: Map<object, unknown>;
  readonly views: Set<object>;
}
type GatewayWithSlots = Gateway & { readonly [SLOTS]: Slots };

// Registered symbols: a bundle's copy of this module must find the slots a source copy made.
const SLOTS = Symbol.for('ezybus.slots');
const CURRENT = Symbol.for('ezybus.gateway');
const global = globalThis as { [CURRENT]?: GatewayWithSlots };

export function createGateway(config: GatewayConfig): Gateway {
  const slots: Slots = { values: new Map(), views: new Set() };
  return Object.freeze({
    config,
    [SLOTS]: slots,
    forgetStoreViews() {
      for (const key of slots.views) slots.values.delete(key);
    },
  });
}

/** Makes `gw` the process's gateway (what every handler and operation now uses); returns it. */
export function installGateway(gw: Gateway): Gateway {
  global[CURRENT] = gw as GatewayWithSlots;
  return gw;
}

export function hasGateway(): boolean {
  return global[CURRENT] !== undefined;
}

/** The installed gateway; with none installed (a unit test of a single module), one on the defaults. */
export function gateway(): Gateway {
  return (global[CURRENT] ??= createGateway(readConfig({})) as GatewayWithSlots);
}

export function gatewayConfig(): GatewayConfig {
  return gateway().config;
}

/**
 * State that outlives a request, owned by the installed gateway: `make` runs once per gateway,
 * on first use. `view: true` marks a cache of store contents, which `forgetStoreViews` drops.
 */
export function perGateway<T>(make: (config: GatewayConfig) => T, opts: { view?: boolean } = {}): () => T {
  const key = {};
  return () => {
    const gw = gateway() as GatewayWithSlots;
    const { values, views } = gw[SLOTS];
    let v = values.get(key) as T | undefined;
    if (v === undefined) {
      v = make(gw.config);
      values.set(key, v);
      if (opts.view) views.add(key);
    }
    return v;
  };
}
