import { describe, expect, it } from 'vitest';
import { placeCacheBreakpoints } from '../../../functions/shared/protocol/cache-points.js';

type J = Record<string, unknown>;
const cc = { type: 'ephemeral' };

describe('automatic cache breakpoints', () => {
  it('mark the last tool, the end of the system prompt and the last block of the two latest user turns', () => {
    const body: J = {
      tools: [{ name: 'a' }, { name: 'b' }],
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
        { role: 'user', content: [{ type: 'text', text: 'two' }, { type: 'thinking', thinking: 'x', signature: 's' }] },
      ],
    };
    expect(placeCacheBreakpoints(body, '5m')).toEqual(['auto cache breakpoints: 4 placed (5m)']);
    expect((body.tools as J[])[1]?.cache_control).toEqual(cc);
    expect(body.system).toEqual([{ type: 'text', text: 'Be brief.', cache_control: cc }]);
    const m = body.messages as { content: J[] }[];
    expect(m[0]?.content).toEqual([{ type: 'text', text: 'one', cache_control: cc }]);
    expect(m[2]?.content[0]?.cache_control).toEqual(cc); // thinking is never marked
    expect(m[2]?.content[1]?.cache_control).toBeUndefined();
  });
  it('use the 1 h TTL when asked, and stop at four', () => {
    const body: J = { tools: [{ name: 'a' }], system: 's', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }, { role: 'user', content: 'c' }] };
    placeCacheBreakpoints(body, '1h');
    expect(JSON.stringify(body).split('"ttl":"1h"')).toHaveLength(5);
  });
  it('leave a client’s own breakpoints alone', () => {
    const body: J = { system: [{ type: 'text', text: 's', cache_control: cc }], messages: [{ role: 'user', content: 'a' }] };
    expect(placeCacheBreakpoints(body, '5m')).toEqual(['auto cache breakpoints skipped: the client set cache_control itself']);
    expect(JSON.stringify(body).split('cache_control')).toHaveLength(2);
  });
});
