/**
 * Types for the `awslambda` global that the Lambda Node.js runtime installs before it loads a
 * handler module, and the Function URL event (payload format 2.0).
 *
 * In Lambda the global comes from the runtime; locally `installLocalAwsLambda()` (local/runtime.ts)
 * installs an implementation with the same observable behaviour, so handler code never branches
 * on where it runs.
 */
import type { Writable } from 'node:stream';

/** The writable the runtime hands a streaming handler (Lambda's ResponseStream, a subset). */
export interface LambdaResponseStream extends Writable {
  setContentType(contentType: string): void;
  /** Called by HttpResponseStream.from on the first write(): writes the prelude. */
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
}

/**
 * A response stream that takes its status and headers directly (the Web Functions edge, where
 * Node's ServerResponse is the wire): no prelude to encode and parse again.
 */
export interface DirectHeadStream extends LambdaResponseStream {
  respondHead(metadata: HttpResponseMetadata): LambdaResponseStream;
  /**
   * Status, headers and a whole body at once. The edge holds them until end() and then sends them
   * with a content-length, head and body in one socket write (with a content-length the body's
   * last byte ends the response, so nothing may leave before end()). Returns what write() would.
   */
  respondWhole(metadata: HttpResponseMetadata, body: string | Uint8Array): boolean;
}

export function hasDirectHead(stream: LambdaResponseStream): stream is DirectHeadStream {
  return typeof (stream as Partial<DirectHeadStream>).respondHead === 'function';
}

export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
  callbackWaitsForEmptyEventLoop?: boolean;
}

export type StreamingHandler<E = FunctionUrlEvent> = (
  event: E,
  responseStream: LambdaResponseStream,
  context: LambdaContext,
) => Promise<void>;

export interface HttpResponseMetadata {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
}

export interface AwsLambdaGlobal {
  streamifyResponse<E>(handler: StreamingHandler<E>, options?: { highWaterMark?: number }): StreamingHandler<E>;
  HttpResponseStream: {
    from(stream: LambdaResponseStream, metadata: HttpResponseMetadata): LambdaResponseStream;
  };
}

declare global {
  var awslambda: AwsLambdaGlobal;
}

/** Lambda Function URL request event, payload format version 2.0. */
export interface FunctionUrlEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  /** Lower-cased names; repeated headers joined with ",". */
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
  };
  body?: string;
  isBase64Encoded: boolean;
}

export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
