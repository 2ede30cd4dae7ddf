/**
 * Image references as people write them: tags (`name[:tag]`, Docker's
 * syntax without registries) and digests (`sha256:` and 64 hex digits, or
 * a prefix of 12 or more of those digits).
 * @module
 */
import { errors } from '@dios/kernel';

const NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MAX_NAME = 255;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const DIGEST_PREFIX = /^(?:sha256:)?([0-9a-f]{12,64})$/;

/**
 * The tag in full form: `name:tag`, with `:latest` added when there is no
 * tag. EINVAL naming `argument` when `ref` is not `name[:tag]` (name:
 * lowercase letters, digits, `_ . -`, starting with a letter or digit; tag:
 * letters, digits, `_ . -`, at most 128, not starting with `.` or `-`).
 */
export function normalizeTag(ref: string, call: string, argument: string): string {
  const parsed = parseTag(ref);
  if (parsed === undefined)
    throw errors.EINVAL(
      call,
      argument,
      `${JSON.stringify(ref)} is not name[:tag] (name: [a-z0-9][a-z0-9_.-]*, tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127})`,
    );
  return parsed;
}

/** {@link normalizeTag} without the error: undefined when `ref` is not a tag. */
export function parseTag(ref: string): string | undefined {
  if (typeof ref !== 'string') return undefined;
  const colon = ref.lastIndexOf(':');
  const name = colon < 0 ? ref : ref.slice(0, colon);
  const tag = colon < 0 ? 'latest' : ref.slice(colon + 1);
  if (name.length > MAX_NAME || !NAME.test(name) || !TAG.test(tag)) return undefined;
  return `${name}:${tag}`;
}

/** Whether `ref` is a whole image digest, `sha256:` and 64 lowercase hex digits. */
export function isDigest(ref: string): boolean {
  return DIGEST.test(ref);
}

/** The hex digits of a digest or digest prefix (12 to 64 of them, `sha256:` optional), or undefined. */
export function digestPrefix(ref: string): string | undefined {
  return DIGEST_PREFIX.exec(ref)?.[1];
}
