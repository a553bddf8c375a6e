/**
 * Errors in the Responses protocol. Before the response is committed, the body is OpenAI's
 * `{error: {message, type, param, code}}` (the Responses API uses the same object; an unknown
 * model there is a 400 `model_not_found`, not Chat Completions' 404 — docs/protocols.md,
 * "Facts read from the new recordings"). After, the stream ends with an `error` event and a
 * `response.failed` whose `response.error` says the same, so clients that read either stop.
 */
import type { J } from '../json.js';

export interface ResponsesErrorFacts {
  message: string;
  type: string;
  code: string | null;
  param: string | null;
}

export function responsesErrorBody(e: ResponsesErrorFacts): string {
  return JSON.stringify({ error: { message: e.message, type: e.type, param: e.param, code: e.code } });
}

/** The two closing events of a failed stream; `sequence` continues the stream's numbering. */
export function responsesErrorEvents(e: ResponsesErrorFacts, sequence = 0, responseId = 'resp_ezybus', model = ''): string {
  const code = e.code ?? e.type;
  const error: J = { type: 'error', sequence_number: sequence, code, message: e.message, param: e.param };
  const failed: J = {
    type: 'response.failed',
    sequence_number: sequence + 1,
    response: { id: responseId, object: 'response', status: 'failed', error: { code, message: e.message }, incomplete_details: null, model, output: [], usage: null },
  };
  return `event: error\ndata: ${JSON.stringify(error)}\n\nevent: response.failed\ndata: ${JSON.stringify(failed)}\n\n`;
}
