/**
 * The simulator's tokenizer: what a prompt costs in the simulator's own units, the same for a
 * generation's reported input and for its counting endpoints (Anthropic count_tokens, Gemini
 * countTokens, embeddings), so tests can assert exact equality between the two.
 *
 * A prompt is what the model reads (system, turns, tools), never the generation settings
 * (model, stream, max_tokens …): each provider's prompt fields are taken from the parsed body and
 * re-serialised, so spacing and key order in the request text do not change the count.
 */
import type { Provider } from './protocols.js';
import { estimateTokens } from './text.js';

type J = Record<string, unknown>;

/** The fields of a request body that make up the prompt, per provider. */
export function promptPart(provider: Provider, body: J): J {
  if (provider === 'anthropic') return { system: body.system, messages: body.messages, tools: body.tools };
  if (provider === 'openai') return { messages: body.messages, tools: body.tools };
  return { systemInstruction: body.systemInstruction, contents: body.contents, tools: body.tools };
}

export function promptTokens(provider: Provider, body: J): number {
  return estimateTokens(JSON.stringify(promptPart(provider, body)));
}

/** Gemini countTokens takes either bare `contents` or a whole `generateContentRequest`. */
export function geminiCountBody(body: J): J {
  const g = body.generateContentRequest;
  return g && typeof g === 'object' && !Array.isArray(g) ? (g as J) : body;
}

/** The text of one embedding input, as the simulator counts it. */
export function embeddingTokens(input: string | number[]): number {
  return typeof input === 'string' ? estimateTokens(input) : input.length;
}

/** True when the last turn hands back a tool result (the agent loop's second request). */
export function lastTurnIsToolResult(provider: Provider, body: J): boolean {
  const last = (list: unknown): J | undefined => (Array.isArray(list) ? (list.at(-1) as J | undefined) : undefined);
  if (provider === 'openai') return last(body.messages)?.role === 'tool';
  if (provider === 'responses') return /_call_output$/.test(String(last(body.input)?.type));
  if (provider === 'anthropic') {
    const content = last(body.messages)?.content;
    return Array.isArray(content) && content.some((b) => (b as J).type === 'tool_result');
  }
  const parts = last(body.contents)?.parts;
  return Array.isArray(parts) && parts.some((p) => (p as J).functionResponse !== undefined || (p as J).function_response !== undefined);
}
