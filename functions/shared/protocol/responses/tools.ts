/**
 * Responses tools → canonical tools, and what the way back needs to know about them.
 *
 * - `function` tools are flat (`{type, name, description, parameters, strict}`).
 * - `custom` (freeform) tools, such as Codex's `apply_patch` with a Lark grammar, take one raw
 *   string. Other protocols have no such tool, so each becomes a function with one string
 *   argument `input` (the grammar goes into its description), and a call of it comes back to
 *   the client as a `custom_tool_call` whose `input` is that string.
 * - `namespace` tools group functions (Codex's multi-agent tools); each inner function becomes
 *   `<namespace>__<name>` and a call comes back as a `function_call` with its `namespace`.
 * - Hosted tools (web_search, file_search, code_interpreter, …) run only at OpenAI: dropped with
 *   a note when the upstream is another protocol.
 */
import type { CanonicalTool } from '../canonical.js';
import { obj, objs, str, type J } from '../json.js';

/** How tool calls of a request are rendered back to a Responses client. */
export interface ToolKinds {
  /** Canonical names of custom (freeform) tools. */
  custom: Set<string>;
  /** Canonical name → namespace and inner name. */
  namespaced: Map<string, { namespace: string; name: string }>;
}

export const CUSTOM_INPUT = 'input';

export function emptyToolKinds(): ToolKinds {
  return { custom: new Set(), namespaced: new Map() };
}

export const namespacedName = (namespace: string, name: string): string => `${namespace}__${name}`;

function functionTool(t: J, name: string): CanonicalTool {
  const tool: CanonicalTool = { name, input_schema: (t.parameters as J | undefined) ?? { type: 'object', properties: {} } };
  if (typeof t.description === 'string' && t.description) tool.description = t.description;
  return tool;
}

function customTool(t: J, name: string): CanonicalTool {
  const f = obj(t.format);
  const grammar = f.type === 'grammar' && typeof f.definition === 'string' ? `\n\nThe input must follow this ${str(f.syntax) ?? ''} grammar:\n${f.definition}` : '';
  const description = `${str(t.description) ?? ''}${grammar}`.trim();
  return {
    name,
    ...(description ? { description } : {}),
    input_schema: {
      type: 'object',
      properties: { [CUSTOM_INPUT]: { type: 'string', description: 'The raw input of this freeform tool.' } },
      required: [CUSTOM_INPUT],
    },
  };
}

export function toolsFromResponses(tools: unknown, notes: string[]): { tools: CanonicalTool[]; kinds: ToolKinds } {
  const out: CanonicalTool[] = [];
  const kinds = emptyToolKinds();
  for (const t of objs(tools)) {
    const name = str(t.name);
    if (t.type === 'function' && name) out.push(functionTool(t, name));
    else if (t.type === 'custom' && name) {
      out.push(customTool(t, name));
      kinds.custom.add(name);
    } else if (t.type === 'namespace' && name) {
      for (const inner of objs(t.tools)) {
        const innerName = str(inner.name);
        if (!innerName) continue;
        const flat = namespacedName(name, innerName);
        if (inner.type === 'custom') {
          out.push(customTool(inner, flat));
          kinds.custom.add(flat);
        } else out.push(functionTool(inner, flat));
        kinds.namespaced.set(flat, { namespace: name, name: innerName });
      }
    } else notes.push(`tool of type '${String(t.type)}' dropped: it runs only at OpenAI`);
  }
  return { tools: out, kinds };
}

/** The kinds alone, for rendering an answer (the request's tools are all it needs). */
export function toolKindsOf(body: J): ToolKinds {
  return toolsFromResponses(body.tools, []).kinds;
}

/** The canonical name of a call item from the client's history. */
export function canonicalCallName(item: J): string {
  const name = str(item.name) ?? '';
  const ns = str(item.namespace);
  return ns ? namespacedName(ns, name) : name;
}

/** A custom tool's canonical input object → the raw string the client's tool takes. */
export function customInputOf(input: unknown): string {
  const v = obj(input)[CUSTOM_INPUT];
  return typeof v === 'string' ? v : JSON.stringify(input ?? {});
}
