/**
 * SIGTERM while streaming, in a real child process running the Web Functions entry: the
 * environment stops accepting, every in-flight stream ends cleanly with an error event in its
 * client's protocol, every request's usage record is in its log line before the process exits
 * (what the ledger writer takes, through the log subscription, into the ledger), and the exit
 * comes within the grace the process set itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUsageRecord, listGatewayKeys } from '../../functions/shared/store/repo.js';
import { writeBatch } from '../../functions/shared/usage/ledger.js';
import { recordFromLogLine } from '../../functions/shared/usage/log-records.js';
import type { UsageRecord } from '../../functions/shared/usage/record.js';
import { startWebFunctionProcess, type WebFunctionProcess } from '../helpers/web-function.js';
import { dataLines, MODELS, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let wf: WebFunctionProcess;
beforeAll(async () => {
  s = await startStack();
  // Lambda gives about a second after SIGTERM (the default grace, 800 ms, fits it with DynamoDB
  // a few ms away); this machine's store is a dynalite process on two shared cores, so the test
  // allows it more. What is checked is that nothing is lost or cut, not how fast.
  wf = await startWebFunctionProcess(s, { EZYBUS_SHUTDOWN_GRACE_MS: '15000' });
});
afterAll(async () => {
  if (wf.child.exitCode === null) wf.child.kill('SIGKILL');
  await s?.close();
});

// Eight seconds of tokens: every stream is mid-flight when SIGTERM arrives.
const LONG = '[[sim:tokens=400&gap_ms=20]]';

function open(i: number): Promise<Response> {
  const anthropicClient = i % 2 === 1;
  const model = [MODELS.openai, MODELS.anthropic, MODELS.gemini][i % 3]!;
  const content = `stream ${i} ${LONG}`;
  return anthropicClient
    ? fetch(`${wf.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': s.key, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model, stream: true, max_tokens: 1024, messages: [{ role: 'user', content }] }),
      })
    : fetch(`${wf.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.key}` },
        body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content }] }),
      });
}

/** Reads until the first content event, then hands back a reader for the rest. */
async function firstContent(res: Response): Promise<{ head: string; rest: () => Promise<string> }> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let head = '';
  while (!/"(content|text|delta)"/.test(head)) {
    const { done, value } = await reader.read();
    if (done) break;
    head += dec.decode(value, { stream: true });
  }
  return {
    head,
    rest: async () => {
      let text = head;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return text;
        text += dec.decode(value, { stream: true });
      }
    },
  };
}

describe('SIGTERM while streaming (Web Functions entry in a child process)', () => {
  it('ends every stream with a protocol error event, writes every record, then exits', { timeout: 60_000 }, async () => {
    const N = 24;
    const responses = await Promise.all(Array.from({ length: N }, (_, i) => open(i)));
    expect(responses.map((r) => r.status)).toEqual(Array(N).fill(200));
    const ids = responses.map((r) => r.headers.get('x-request-id')!);
    const keyId = (await listGatewayKeys()).find((k) => k.name === 'integration')?.id;
    const started = await Promise.all(responses.map(firstContent));

    wf.child.kill('SIGTERM');
    const bodies = await Promise.all(started.map((st) => st.rest())); // each one ends, none errors
    const { code } = await wf.exited;
    expect(code).toBe(0);

    bodies.forEach((body, i) => {
      expect(body.endsWith('\n\n'), `stream ${i} ends at an event boundary`).toBe(true);
      if (i % 2 === 1) {
        expect(body).toContain('event: error');
        expect(body).not.toContain('message_stop');
      } else {
        const last = dataLines(body).filter((d) => d !== '[DONE]').at(-1)!;
        expect((JSON.parse(last) as { error?: { message: string } }).error?.message).toBeTruthy();
      }
    });

    // The process's own account: nothing had to be cut when its grace ran out.
    const logs = wf.lines.map((l) => JSON.parse(l) as { msg: string; requestId?: string; cut?: string[]; record?: { keyId: string; cutShort: string | null; usage: { inputTokens: number } | null } });
    const down = logs.find((l) => l.msg === 'web function shut down') as { cut?: string[]; ShutdownCuts?: number; _aws?: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } } | undefined;
    expect(down?.cut).toEqual([]);
    // …and CloudWatch counts it (EMF): zero cuts.
    expect(down?.ShutdownCuts).toBe(0);
    expect(down?._aws?.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name)).toEqual(['ShutdownCuts']);
    // Every request's record: in the log line (what CloudWatch keeps), and from there in the
    // ledger — as the subscription hands those lines to the ledger writer.
    await writeBatch(wf.lines.map(recordFromLogLine).filter((r): r is UsageRecord => r !== undefined));
    for (const id of ids) {
      const line = logs.find((l) => l.msg === 'request' && l.requestId === id);
      expect(line?.record?.cutShort, id).toBe('deadline');
      expect(line?.record?.keyId).toBe(keyId);
      expect(line?.record?.usage, JSON.stringify(line?.record)).not.toBeNull();
      expect(await getUsageRecord(id)).not.toBeNull();
    }
  });
});
