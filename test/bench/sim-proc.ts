/** Benchmark child: the provider simulator, not recording requests (memory stays flat). */
import { writeSync } from 'node:fs';
import { startSimulator } from '../../local/sim/server.js';

const sim = await startSimulator({ host: '127.0.0.1', port: 0, seed: 1, record: false });
writeSync(3, JSON.stringify({ url: sim.url }) + '\n');
process.once('SIGTERM', () => void sim.close().then(() => process.exit(0)));
