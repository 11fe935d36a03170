/**
 * The bundle's text with every non-ASCII character written as a `\uXXXX` escape. V8 keeps a
 * script's source in memory as one string, one byte per character only when every character
 * fits in Latin-1; a single `×` or `—` left in a comment (esbuild escapes strings, regexps and
 * identifiers itself, `charset: 'ascii'`, but copies comments as they are) makes the whole 2.4 MB
 * bundle a two-byte string: 4.9 MB of V8's large-object space instead of 2.4 MB, live for the
 * process's life and counted in the old generation's size from which V8 sets its next limit.
 * Outside comments there is nothing left to escape, and an escape means the same character
 * inside a string, template, regexp or identifier as well.
 */
export function escapeNonAscii(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
