/** The benchmark's upstreams on the simulator (OpenAI and Anthropic, one key each) and their two routes. */
import { addUpstream, addUpstreamKey, setRoute } from '../../functions/shared/admin/ops.js';

export async function benchRoutes(simUrl: string): Promise<void> {
  await addUpstream('bench-openai', 'openai', simUrl);
  await addUpstreamKey('bench-openai', 'sim-bench-key', 'k1');
  await addUpstream('bench-anthropic', 'anthropic', simUrl);
  await addUpstreamKey('bench-anthropic', 'sim-bench-key', 'k1');
  await setRoute('bench-gpt', [{ upstream: 'bench-openai', model: 'gpt-4.1-nano' }]);
  await setRoute('bench-claude', [{ upstream: 'bench-anthropic', model: 'claude-haiku-4-5' }]);
}
