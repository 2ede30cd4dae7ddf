/**
 * One way to say what went wrong with a host call, code first and once:
 * `ENOENT: no such file or directory`. Node's own messages carry the code,
 * a description, then the call and path (`ENOENT: no such file or
 * directory, open '/x'`), so naming the path and adding the message gave
 * `'/x': ENOENT (ENOENT: no such file ..., open '/x')`.
 * @module
 */
import { isDiosError } from '@dios/kernel';

/**
 * `CODE: description` for a Node or DIOS error (`EIO` when it has no code);
 * the caller names the path. A DiosError keeps its call, argument and
 * detail after that, unless `brief` (for a message that names the path
 * already: the detail would say it again).
 */
export function errorText(e: unknown, brief = false): string {
  if (isDiosError(e) && !brief) return e.message;
  const raw = (e as { code?: unknown }).code;
  const code = typeof raw === 'string' && /^E[A-Z0-9]+$/.test(raw) ? raw : 'EIO';
  const message = e instanceof Error ? e.message : String(e);
  // Node: "ENOENT: no such file or directory, open '/x'"; a server's report: "listen EADDRINUSE: address already in use ...".
  const node = new RegExp(`(?:^|\\s)${code}: ([^,]*)`).exec(message);
  if (node !== null) return `${code}: ${node[1]!.trim()}`;
  return message.length > 0 ? `${code}: ${message}` : code;
}
