/**
 * The access log: one line per response in the Common Log Format
 * (`host ident authuser [date] "request line" status bytes`), written by
 * the connection task that answered to the server's log stream, which the
 * host reads (see `startWebServer`'s `accessLog`). Whatever the client
 * sent is escaped before it reaches the line: a request line cannot end
 * the line early, forge another, or send control sequences to a terminal.
 * @module
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const encoder = new TextEncoder();
// Printable ASCII without `"` and `\`: text that escapes to itself.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const two = (n: number): string => String(n).padStart(2, '0');

/** `date` as the log's time stamp, in UTC: `10/Oct/2000:13:55:36 +0000`. */
export function logTime(date: Date): string {
  return (
    `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

/** `text` safe inside the log's quotes: `"` and `\` escaped, control characters and non-ASCII as `\xHH`. */
export function escapeLogText(text: string): string {
  // The usual request line needs no escape: returned as it is, without a walk over its characters.
  if (PLAIN.test(text)) return text;
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (c === '"' || c === '\\') out += '\\' + c;
    else if (code < 0x20 || code >= 0x7f) {
      // The parser decodes bytes as latin1, so each character is one byte; anything wider is written per UTF-8 byte.
      for (const b of code <= 0xff ? [code] : encoder.encode(c)) out += `\\x${b.toString(16).padStart(2, '0')}`;
    } else out += c;
  }
  return out;
}

/** The client's host from a connection address (`1.2.3.4:5678`, `[::1]:5678`, `::1:5678`); `-` when unknown. */
export function clientHost(address: string | undefined): string {
  if (address === undefined || address === '') return '-';
  const colon = address.lastIndexOf(':');
  const host = colon < 0 ? address : address.slice(0, colon);
  return escapeLogText(host.replace(/^\[|\]$/g, '')) || '-';
}

/** What one log line says. */
export interface AccessRecord {
  /** The client's connection address, as the kernel reports it. */
  readonly address: string | undefined;
  /** When the response was made. */
  readonly time: Date;
  /** The request line as received (undefined when none could be read). */
  readonly requestLine: string | undefined;
  /** The status sent. */
  readonly status: number;
  /** Body bytes sent (0 for HEAD, 304 ...). */
  readonly bytes: number;
}

/** One Common Log Format line for `record`, with its line end. */
export function accessLine(record: AccessRecord): string {
  const request = record.requestLine === undefined ? '-' : escapeLogText(record.requestLine);
  const bytes = record.bytes > 0 ? String(record.bytes) : '-';
  return `${clientHost(record.address)} - - [${logTime(record.time)}] "${request}" ${record.status} ${bytes}\n`;
}
