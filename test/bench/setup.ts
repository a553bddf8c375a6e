/** The benchmark's upstreams on the simulator (OpenAI Chat Completions, OpenAI Responses and Anthropic, one key each) and their routes. */
import { addUpstream, addUpstreamKey, setRoute } from '../../functions/shared/admin/ops.js';

export async function benchRoutes(simUrl: string): Promise<void> {
  await addUpstream('bench-openai', 'openai', simUrl);
  await addUpstreamKey('bench-openai', 'sim-bench-key', 'k1');
  await addUpstream('bench-anthropic', 'anthropic', simUrl);
  await addUpstreamKey('bench-anthropic', 'sim-bench-key', 'k1');
  await setRoute('bench-gpt', [{ upstream: 'bench-openai', model: 'gpt-4.1-nano' }]);
  await setRoute('bench-claude', [{ upstream: 'bench-anthropic', model: 'claude-haiku-4-5' }]);
  await addUpstream('bench-responses', 'responses', simUrl);
  await addUpstreamKey('bench-responses', 'sim-bench-key', 'k1');
  await setRoute('bench-gpt-responses', [{ upstream: 'bench-responses', model: 'gpt-4.1-nano' }]);
}
