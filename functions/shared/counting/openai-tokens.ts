/**
 * Local token counts for OpenAI Chat Completions requests, which OpenAI offers no endpoint for:
 * the prompt as the model's tokenizer encodes it (gpt-tokenizer), with the message framing and
 * tool-definition format of the OpenAI cookbook's "How to count tokens with tiktoken", corrected
 * where OpenAI's reported `usage.prompt_tokens` on recorded requests says otherwise (the
 * corrections below, each measured by test/unit/openai-count-accuracy.test.ts). Images add what
 * OpenAI's vision guide documents per image (see imageTokens); an image given by URL has
 * unknown size and is counted at 1024×1024.
 *
 * Bound (docs/protocols.md §2.13.1): text, content parts, inline images and tool definitions are
 * exact on every recorded request; a tool call with its result in the history is within 3 tokens
 * per call; an image by URL is an estimate (+13% on the recording); structured-output schemas
 * (`response_format`) are not counted.
 *
 * The tokenizer tables are large (o200k_base is ~2.4 MB of JavaScript, a few hundred ms to
 * initialise on a cold Lambda), so they are imported only when a count for an OpenAI upstream
 * is asked for, never on the generation path.
 */
import { imageSize } from './image-size.js';

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const objs = (v: unknown): J[] => (Array.isArray(v) ? v.map(obj) : []);

interface ChatMessage {
  role: string;
  content: string;
  name?: string;
  function_call?: { name: string; arguments: string };
}

interface Tokenizer {
  countTokens(text: string): number;
  countChatCompletionTokens?: (r: { messages: ChatMessage[]; functions?: unknown[]; function_call?: unknown }) => number;
}

/** cl100k_base for the GPT-4 / GPT-3.5 generation and ada-002 embeddings; o200k_base for the rest. */
export function encodingFor(model: string): 'cl100k_base' | 'o200k_base' {
  return /^(gpt-4(?!o|\.|-o)|gpt-3\.5|text-embedding-(3|ada))/.test(model) ? 'cl100k_base' : 'o200k_base';
}

const loaded = new Map<string, Promise<Tokenizer>>();

export function tokenizer(model: string): Promise<Tokenizer> {
  const enc = encodingFor(model);
  let t = loaded.get(enc);
  if (!t) {
    // Each module is a model entry point of gpt-tokenizer: the encoding plus the chat formatter.
    t = (enc === 'cl100k_base' ? import('gpt-tokenizer/model/gpt-4') : import('gpt-tokenizer/model/gpt-4o')) as Promise<Tokenizer>;
    loaded.set(enc, t);
  }
  return t;
}

/** Models that price images in 32-px patches (OpenAI vision guide), with their multipliers. */
const PATCH_MODELS: [RegExp, number][] = [
  [/^gpt-5-mini|^gpt-4\.1-mini/, 1.62],
  [/^gpt-5-nano|^gpt-4\.1-nano/, 2.46],
  [/^o4-mini/, 1.72],
];

/** What one image costs, from its size and `detail`, per OpenAI's vision guide. */
export function imageTokens(model: string, width: number, height: number, detail: string | undefined): number {
  const patch = PATCH_MODELS.find(([re]) => re.test(model));
  if (patch) {
    // Patches of 32×32, the image scaled down to fit 1,536 patches.
    let w = width;
    let h = height;
    const patches = Math.ceil(w / 32) * Math.ceil(h / 32);
    if (patches > 1536) {
      const shrink = Math.sqrt((1536 * 32 * 32) / (w * h));
      w = Math.floor(w * shrink);
      h = Math.floor(h * shrink);
    }
    return Math.ceil(Math.min(1536, Math.ceil(w / 32) * Math.ceil(h / 32)) * patch[1]);
  }
  const [base, tile] = /^gpt-4o-mini/.test(model) ? [2833, 5667] : [85, 170];
  if (detail === 'low') return base;
  // Fit in 2048×2048, then scale the shortest side to 768; 512-px tiles.
  let w = width;
  let h = height;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const short = Math.min(w, h);
  if (short > 768) {
    w = (w * 768) / short;
    h = (h * 768) / short;
  }
  return base + tile * Math.ceil(w / 512) * Math.ceil(h / 512);
}

function imagePartTokens(model: string, part: J): number {
  const iu = obj(part.image_url);
  const url = typeof iu.url === 'string' ? iu.url : '';
  const detail = typeof iu.detail === 'string' ? iu.detail : undefined;
  const m = /^data:[^;,]+;base64,(.*)$/s.exec(url);
  const size = m?.[1] ? imageSize(Buffer.from(m[1].slice(0, 64 * 1024), 'base64')) : undefined;
  return imageTokens(model, size?.width ?? 1024, size?.height ?? 1024, detail);
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return objs(content)
    .map((p) => (p.type === 'text' && typeof p.text === 'string' ? p.text : p.type === 'refusal' && typeof p.refusal === 'string' ? p.refusal : ''))
    .join('');
}

/**
 * Corrections to the cookbook, from OpenAI's own counts of recorded Chat Completions requests
 * (test/fixtures/real/openai/, gpt-4o-mini, gpt-5-nano, gpt-5.6):
 * - o200k models prime the reply with 2 tokens, not 3: every recorded request was 1 over.
 * - gpt-5 models given tools add a fixed preamble (the tool namespace and channel rules of their
 *   chat format): 82 tokens on the recording, whose one tool the cookbook format counts exactly.
 */
const O200K_PRIMING = -1;
const GPT5_TOOL_PREAMBLE = 82;

/** Input tokens of an OpenAI Chat Completions request body, for `model`'s tokenizer. */
export async function countChatTokens(body: J, model: string): Promise<number> {
  const t = await tokenizer(model);
  let images = 0;
  const messages: ChatMessage[] = [];
  const callNames = new Map<string, string>();
  for (const m of objs(body.messages)) {
    for (const c of objs(m.tool_calls)) if (typeof c.id === 'string') callNames.set(c.id, String(obj(c.function).name ?? ''));
    const called = m.role === 'tool' && typeof m.tool_call_id === 'string' ? callNames.get(m.tool_call_id) : undefined;
    // A tool result is the function speaking (`functions.<name>` in OpenAI's chat format), not `tool`.
    const role = called ? `functions.${called}` : typeof m.role === 'string' ? m.role : 'user';
    for (const p of objs(m.content)) if (p.type === 'image_url') images += imagePartTokens(model, p);
    const msg: ChatMessage = { role, content: contentText(m.content) };
    if (typeof m.name === 'string') msg.name = m.name;
    const calls = objs(m.tool_calls).map((c) => obj(c.function));
    const [first, ...more] = calls;
    if (first) msg.function_call = { name: String(first.name ?? ''), arguments: String(first.arguments ?? '') };
    messages.push(msg);
    // The counting format carries one call per message; parallel calls count as more messages.
    for (const c of more) messages.push({ role, content: '', function_call: { name: String(c.name ?? ''), arguments: String(c.arguments ?? '') } });
  }
  const functions = objs(body.tools)
    .filter((x) => x.type === 'function')
    .map((x) => obj(x.function));
  const tc = body.tool_choice;
  const functionCall = tc === 'none' || tc === 'auto' ? tc : tc && typeof tc === 'object' ? { name: String(obj(obj(tc).function).name ?? '') } : undefined;
  const chat = t.countChatCompletionTokens
    ? t.countChatCompletionTokens({ messages, ...(functions.length ? { functions } : {}), ...(functionCall && functions.length ? { function_call: functionCall } : {}) })
    : messages.reduce((n, m) => n + 3 + t.countTokens(m.role) + t.countTokens(m.content), 3);
  const priming = encodingFor(model) === 'o200k_base' ? O200K_PRIMING : 0;
  const preamble = functions.length && /^gpt-5/.test(model) ? GPT5_TOOL_PREAMBLE : 0;
  return chat + images + priming + preamble;
}
