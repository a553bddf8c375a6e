/** The provider simulator as its own process: `npm run sim -- --port 8090 --seed 1`. */
import { parseArgs, int, one } from './cli/args.js';
import { startSimulator } from '../local/sim/server.js';

const p = parseArgs(process.argv.slice(2));
const sim = await startSimulator({ port: int(p, 'port') ?? 8090, host: one(p, 'host') ?? '127.0.0.1', seed: int(p, 'seed') ?? 1 });
process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);
const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
