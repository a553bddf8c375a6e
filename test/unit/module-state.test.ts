/**
 * Nothing a request path caches may live in module scope unless it is listed here with the
 * reason it is safe to share across gateways: state built from a gateway's config or store
 * belongs in `perGateway` (functions/shared/context.ts), where a new gateway starts without it
 * and no reset list can forget it. A new module-level `let` or mutable collection fails this
 * test until it moves into a gateway or is argued below (functions/README.md, "Module scope").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../functions/', import.meta.url).pathname;

/** file → names, with why each is not the gateway's. */
const PROCESS_STATE: Record<string, Record<string, string>> = {
  'shared/upstream/providers.ts': { urls: 'parsed URLs, a pure function of their text' },
  'shared/upstream/http.ts': { targets: 'node:http request options of those URLs, a pure function of each (weakly held)' },
  'shared/upstream/pool.ts': { tierCache: 'a route’s priority tiers, a pure function of the route object (weakly held)' },
  'shared/admin/static.ts': { files: 'the console’s files, keyed by the directory they came from', loadedFrom: 'that directory' },
  'shared/runtime/lifecycle.ts': { drain: 'the execution environment’s shutdown: state of the process', running: 'the deadlines of the requests running in this process, which that shutdown aborts' },
  'shared/gateway/scrub.ts': { compiled: 'compiled scrubbers, a pure function of their pattern' },
  'shared/aws/json-client.ts': { chain: 'the machine’s credential chain (off Lambda)', cached: 'its credentials', signingKeys: 'SigV4 keys derived from a secret, keyed by it' },
  'shared/usage/prices.ts': { index: 'the built-in catalog’s index (a constant)', normalized: 'model-name normalisation, a pure function', recent: 'built-in catalog answers by model and day, a pure function of them' },
  'shared/logging/log.ts': { sink: 'where this process’s lines go (stdout)', taps: 'who else reads them (the local ledger feed)' },
  'shared/counting/openai-tokens.ts': { loaded: 'tokenizer tables, constants loaded on demand' },
  'shared/protocol/data-template.ts': { last: 'the last template learned, a pure function of its arguments (one entry)' },
  'shared/runtime/gc-tuning.ts': { done: 'whether this process has set its V8 flag (a flag of the process)' },
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Module-level `let`s and collections/caches not filled from a literal (constant tables are fine). */
function moduleState(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(?:export )?(?:let|var) ([A-Za-z_$][\w$]*)/.exec(line) ?? /^(?:export )?const ([A-Za-z_$][\w$]*)(?::[^=]+)? = new (?:Map|Set|WeakMap|TtlCache|SwrValue|AbortController|LiveSet)\b(?:<.*>)?\((?!\[)/.exec(line);
    if (m?.[1]) names.push(m[1]);
  }
  return names;
}

describe('module-level state in functions/', () => {
  it('is only what is argued to belong to the process, not to a gateway', () => {
    const found: Record<string, string[]> = {};
    for (const file of sources(root)) {
      const names = moduleState(readFileSync(file, 'utf8'));
      if (names.length) found[relative(root, file)] = names;
    }
    const unexplained = Object.entries(found).flatMap(([file, names]) => names.filter((n) => !PROCESS_STATE[file]?.[n]).map((n) => `${file}: ${n}`));
    expect(unexplained).toEqual([]);
    // The list stays honest: everything it excuses still exists.
    const stale = Object.entries(PROCESS_STATE).flatMap(([file, names]) => Object.keys(names).filter((n) => !found[file]?.includes(n)).map((n) => `${file}: ${n}`));
    expect(stale).toEqual([]);
  });

  it('the check sees a new cache', () => {
    expect(moduleState('const seen = new Map<string, number>();\nlet last: string | undefined;\nconst KNOWN = new Set([1]);')).toEqual(['seen', 'last']);
  });
});
