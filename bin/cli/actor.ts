/** Who the audit trail names for changes made from this shell: the CLI and the OS user. */
import { userInfo } from 'node:os';
import type { Actor } from '../../functions/shared/admin/audit.js';

export function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): the record still says the change came from the CLI
  }
  return { kind: 'cli', id: user };
}
