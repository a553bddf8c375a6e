/**
 * A Web Function runs a plain Node process: no Lambda runtime installs the `awslambda` global.
 * The handler modules call `awslambda.streamifyResponse` when they load, so the Web Functions
 * entry imports this module first. Handlers passed through unchanged; `HttpResponseStream.from`
 * hands the head to the Node response stream directly (ResponseWriter does the same on its
 * own, this covers any other caller).
 */
import { hasDirectHead, type AwsLambdaGlobal } from './awslambda.js';

export function installWebAwsLambda(): void {
  // The AWS SDK may have created an empty `awslambda` object for its InvokeStore; fill it in.
  const existing = globalThis.awslambda as Partial<AwsLambdaGlobal> | undefined;
  if (typeof existing?.streamifyResponse === 'function') return;
  const impl: AwsLambdaGlobal = {
    streamifyResponse: (handler) => handler,
    HttpResponseStream: {
      from(stream, metadata) {
        if (!hasDirectHead(stream)) throw new Error('no Lambda streaming runtime in a Web Function');
        return stream.respondHead(metadata);
      },
    },
  };
  globalThis.awslambda = Object.assign(existing ?? {}, impl) as AwsLambdaGlobal;
}

installWebAwsLambda();
