/**
 * Exact local token counts for OpenAI Chat Completions requests, which OpenAI offers no endpoint
 * for: the prompt as the model's tokenizer encodes it, with OpenAI's documented message framing
 * (3 tokens per message, 1 per name, 3 priming the reply) and tool definitions in the format
 * the model sees them (the OpenAI cookbook's "How to count tokens with tiktoken"), as
 * gpt-tokenizer implements both. Images add what OpenAI's vision guide documents per image
 * (see imageTokens); an image given by URL has unknown size and is counted at 1024×1024.
 *
 * Bound: text and message framing are exact; tool definitions follow the documented format,
 * which OpenAI does not guarantee and which is within a few tokens per tool of what the API
 * reports; images given by URL are an estimate.
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

/** Input tokens of an OpenAI Chat Completions request body, for `model`'s tokenizer. */
export async function countChatTokens(body: J, model: string): Promise<number> {
  const t = await tokenizer(model);
  let images = 0;
  const messages: ChatMessage[] = [];
  for (const m of objs(body.messages)) {
    const role = typeof m.role === 'string' ? m.role : 'user';
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
  return chat + images;
}
