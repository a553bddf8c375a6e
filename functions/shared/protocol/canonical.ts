/**
 * The canonical model every translation goes through (design.md, "Canonical stream model").
 * Anthropic's shapes are the richest of the three, so the canonical request, message and
 * stream events ARE Anthropic's (thinking with signatures, redacted thinking, tool_use with
 * streamed JSON, cache_control), written here as plain types. Upstream parsers produce these;
 * client encoders consume them.
 */

export type ImageSource = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

export type Block =
  | { type: 'text'; text: string; cache_control?: CacheControl }
  | { type: 'image'; source: ImageSource; cache_control?: CacheControl }
  | { type: 'document'; source: ImageSource; cache_control?: CacheControl }
  | { type: 'tool_use'; id: string; name: string; input: unknown; cache_control?: CacheControl }
  | { type: 'tool_result'; tool_use_id: string; content: string | Block[]; is_error?: boolean; cache_control?: CacheControl }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface CanonicalTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  cache_control?: CacheControl;
}

export type ToolChoice = { type: 'auto' } | { type: 'any' } | { type: 'none' } | { type: 'tool'; name: string };

export interface CanonicalRequest {
  system: { type: 'text'; text: string; cache_control?: CacheControl }[];
  /**
   * The turns. `system` turns are system messages in the middle of the conversation (Claude Code
   * sends them; Chat Completions has them too): each encoder places them at their position.
   */
  messages: { role: 'user' | 'assistant' | 'system'; content: Block[] }[];
  tools: CanonicalTool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop: string[];
  /** Thinking budget in tokens, 'adaptive', or undefined for none. */
  thinking?: number | 'adaptive';
  /** OpenAI reasoning_effort as the client sent it (for OpenAI upstreams). */
  reasoningEffort?: string;
  /** JSON output: a schema, or any JSON object when schema is undefined. */
  json?: { schema?: Record<string, unknown>; name?: string };
  user?: string;
}

export interface CanonicalUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  reasoning_tokens?: number;
}

/** Anthropic stop reasons are the canonical ones. */
export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | 'pause_turn';

export type CanonicalEvent =
  | { type: 'message_start'; message: { id: string; model: string; usage: CanonicalUsage } }
  | { type: 'content_block_start'; index: number; content_block: Block }
  | {
      type: 'content_block_delta';
      index: number;
      delta:
        | { type: 'text_delta'; text: string }
        | { type: 'thinking_delta'; thinking: string }
        | { type: 'signature_delta'; signature: string }
        | { type: 'input_json_delta'; partial_json: string };
    }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: StopReason | null; stop_sequence: string | null }; usage: Partial<CanonicalUsage> }
  | { type: 'message_stop' }
  | { type: 'error'; error: { type: string; message: string } };

export interface CanonicalMessage {
  id: string;
  model: string;
  content: Block[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: CanonicalUsage;
}

export const emptyCanonicalUsage = (): CanonicalUsage => ({ input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });

/** A client's cache_control, normalised (anything but `ephemeral` is not a mark). */
export function cacheOf(v: unknown): CacheControl | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const c = v as { type?: unknown; ttl?: unknown };
  if (c.type !== 'ephemeral') return undefined;
  return c.ttl === '1h' ? { type: 'ephemeral', ttl: '1h' } : c.ttl === '5m' ? { type: 'ephemeral', ttl: '5m' } : { type: 'ephemeral' };
}

export function withCache<T extends object>(b: T, c: CacheControl | undefined): T {
  return c ? { ...b, cache_control: c } : b;
}

/** Appends a turn; consecutive same-role turns merge (the canonical model alternates, as Messages requires). */
export function pushMessage(msgs: CanonicalRequest['messages'], role: CanonicalRequest['messages'][number]['role'], content: Block[]): void {
  const last = msgs[msgs.length - 1];
  if (last && last.role === role) last.content.push(...content);
  else msgs.push({ role, content });
}

/** The text of a tool result: its text blocks, one per line (images and documents travel apart). */
export function toolResultText(c: string | Block[]): string {
  return typeof c === 'string' ? c : c.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
}
