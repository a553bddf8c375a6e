/**
 * Every HTTP endpoint EzyBus serves, one line each. The CDK stack (lib/ezybus-stack.ts), the
 * bundler (scripts/build.ts) and the local runtime (local/gateway.ts) all read this list, so
 * a new endpoint is one line here plus its handler file. Pure data: the stack imports it.
 */
import type { ClientWire } from './shared/protocol/registry.js';

export interface Endpoint {
  /** Stage-config and CDK construct key (kept as deployed stacks know it). */
  key: string;
  /** Function name suffix (`ezybus-<stage>-<name>`), log group and metric dimension; `fn` in usage records. */
  name: string;
  /** Handler source, relative to the repository root. */
  entry: string;
  /** The path the handler serves. */
  path: string;
  /** CloudFront path pattern routed to this function. */
  pattern: string;
  /** Completion endpoints stream, decrypt upstream keys and write usage; `models` only reads. */
  kind: 'completion' | 'models';
  /** The wire protocol clients speak on a completion endpoint. */
  protocol?: ClientWire;
}

export const ENDPOINTS = [
  { key: 'chat', name: 'chat-completions', entry: 'functions/chat-completions.ts', path: '/v1/chat/completions', pattern: '/v1/chat/completions', kind: 'completion', protocol: 'chat-completions' },
  { key: 'messages', name: 'messages', entry: 'functions/messages.ts', path: '/v1/messages', pattern: '/v1/messages', kind: 'completion', protocol: 'messages' },
  { key: 'models', name: 'models', entry: 'functions/models.ts', path: '/v1/models', pattern: '/v1/models*', kind: 'models' },
] as const satisfies readonly Endpoint[];

export type EndpointKey = (typeof ENDPOINTS)[number]['key'];
export type EndpointName = (typeof ENDPOINTS)[number]['name'];

export function endpoint(name: EndpointName): Endpoint {
  return ENDPOINTS.find((e) => e.name === name) as Endpoint;
}
