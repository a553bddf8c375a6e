/** Child process: a gateway on an existing store (see startSecondInstance). */
import { startLocalGateway } from '../../local/gateway.js';

const gw = await startLocalGateway({
  dynamoEndpoint: process.env.SECOND_DYNAMO as string,
  keyringPath: process.env.SECOND_KEYRING as string,
  env: JSON.parse(process.env.SECOND_ENV ?? '{}') as Record<string, string>,
});
process.stdout.write(JSON.stringify({ url: gw.url }) + '\n');
process.once('SIGTERM', () => {
  void gw.close().then(() => process.exit(0));
});
