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
  /** The path the handler serves (for a protocol that names the call in the path, its shape). */
  path: string;
  /**
   * CloudFront path patterns routed to this function. Patterns are exact unless they hold `*`;
   * CloudFront tries them in the order of this list, so an endpoint whose patterns overlap
   * another's (`/v1/models/*:countTokens` inside `/v1/models*`) comes first.
   */
  patterns: readonly string[];
  /** Further paths below `path` the same handler serves (Responses: `/v1/responses/compact`). */
  subpaths?: readonly string[];
  /**
   * Completion endpoints stream, decrypt upstream keys and write usage; `unary` ones (token
   * counting, embeddings) make one small upstream call each, with the same access; `models` only reads.
   */
  kind: 'completion' | 'unary' | 'models';
  /** The wire protocol clients speak on a completion endpoint. */
  protocol?: ClientWire;
}

export const ENDPOINTS = [
  { key: 'chat', name: 'chat-completions', entry: 'functions/chat-completions.ts', path: '/v1/chat/completions', patterns: ['/v1/chat/completions'], kind: 'completion', protocol: 'chat-completions' },
  { key: 'count', name: 'count-tokens', entry: 'functions/count-tokens.ts', path: '/v1/messages/count_tokens', patterns: ['/v1/messages/count_tokens', '/v1beta/models/*:countTokens', '/v1/models/*:countTokens', '/v1/responses/input_tokens'], kind: 'unary' },
  { key: 'messages', name: 'messages', entry: 'functions/messages.ts', path: '/v1/messages', patterns: ['/v1/messages'], kind: 'completion', protocol: 'messages' },
  {
    key: 'gemini',
    name: 'generate-content',
    entry: 'functions/generate-content.ts',
    path: '/v1beta/models/{model}:generateContent',
    patterns: ['/v1beta/models/*:generateContent', '/v1beta/models/*:streamGenerateContent', '/v1/models/*:generateContent', '/v1/models/*:streamGenerateContent'],
    kind: 'completion',
    protocol: 'generate-content',
  },
  {
    key: 'embeddings',
    name: 'embeddings',
    entry: 'functions/embeddings.ts',
    path: '/v1/embeddings',
    patterns: ['/v1/embeddings', '/v1beta/models/*:embedContent', '/v1beta/models/*:batchEmbedContents', '/v1/models/*:embedContent', '/v1/models/*:batchEmbedContents'],
    kind: 'unary',
  },
  { key: 'responses', name: 'responses', entry: 'functions/responses.ts', path: '/v1/responses', subpaths: ['/compact'], patterns: ['/v1/responses*'], kind: 'completion', protocol: 'responses' },
  { key: 'models', name: 'models', entry: 'functions/models.ts', path: '/v1/models', patterns: ['/v1/models*', '/v1beta/models*'], kind: 'models' },
] as const satisfies readonly Endpoint[];

/** Every pattern → its endpoint, in the order CloudFront and the local edges try them. */
export function routeTable<H>(handlerOf: (e: Endpoint) => H): Record<string, H> {
  return Object.fromEntries(ENDPOINTS.flatMap((e) => e.patterns.map((p) => [p, handlerOf(e)] as const)));
}

export type EndpointKey = (typeof ENDPOINTS)[number]['key'];
export type EndpointName = (typeof ENDPOINTS)[number]['name'];

export function endpoint(name: EndpointName): Endpoint {
  return ENDPOINTS.find((e) => e.name === name) as Endpoint;
}
