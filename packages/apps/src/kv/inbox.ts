/**
 * The inbox: a stream at a well-known path where native clients announce
 * their request and reply streams to the server.
 * @module
 */
import { normalizePath, pathName, type Name, type SystemCalls } from '@dios/kernel';
import { errors } from '@dios/kernel';

/** Default path of the inbox stream in the server's group. */
export const KV_INBOX_PATH = '/kv/inbox';

/** The name of the inbox at `path` in the first group of task `sys`. */
export async function inboxName(sys: SystemCalls, path: string = KV_INBOX_PATH): Promise<Name> {
  const group = sys.groupNames[0];
  if (group === undefined)
    throw errors.ENOENT('kvConnect', 'options.path', 'the task is a member of no group, so paths name nothing');
  return pathName(group, normalizePath(path, 'kvConnect', 'options.path'));
}
