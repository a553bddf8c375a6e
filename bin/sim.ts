/** The provider simulator as its own process: `npm run sim -- --port 8090 --seed 1`. */
import { parseArgs } from 'node:util';
import { startSimulator } from '../local/sim/server.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8090' }, host: { type: 'string', default: '127.0.0.1' }, seed: { type: 'string', default: '1' } }, strict: true });
const sim = await startSimulator({ port: Number(values.port), host: values.host, seed: Number(values.seed) });
process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
