import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat } from '../../functions/shared/gateway/heartbeat.js';
import type { LambdaResponseStream } from '../../functions/shared/runtime/awslambda.js';
import { installLocalAwsLambda } from '../../local/runtime.js';
import { ResponseWriter } from '../../functions/shared/runtime/response.js';

installLocalAwsLambda();

function sink(): { writer: ResponseWriter; text: () => string } {
  const s = new PassThrough() as unknown as LambdaResponseStream;
  s.setContentType = () => undefined;
  const chunks: Buffer[] = [];
  (s as unknown as PassThrough).on('data', (c: Buffer) => chunks.push(c));
  const writer = new ResponseWriter(s);
  return { writer, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('heartbeat (fake clock)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('beats at once, then every interval of silence', async () => {
    const { writer, text } = sink();
    const hb = new Heartbeat(writer, 15_000);
    await hb.start();
    expect(hb.sent).toBe(1);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(hb.sent).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(hb.sent).toBe(2);
    await vi.advanceTimersByTimeAsync(45_000);
    expect(hb.sent).toBe(5);
    hb.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(hb.sent).toBe(5);
    expect(text()).toContain(': ping\n\n');
  });

  it('real writes push the next beat back', async () => {
    const { writer } = sink();
    const hb = new Heartbeat(writer, 10_000);
    await hb.start();
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(9_000);
      await writer.write('data: {}\n\n');
      hb.touch();
    }
    expect(hb.sent).toBe(1);
    hb.stop();
  });

  it('never splits a line, and uses a bare comment line inside an event', async () => {
    const { writer, text } = sink();
    const hb = new Heartbeat(writer, 1_000);
    await hb.start();
    await writer.write('data: {"par');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(hb.sent).toBe(1); // mid-line: skipped
    await writer.write('tial":1}\n');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(hb.sent).toBe(2);
    await writer.write('\n');
    hb.stop();
    expect(text()).toBe(': ping\n\ndata: {"partial":1}\n: ping\n\n');
  });
});
