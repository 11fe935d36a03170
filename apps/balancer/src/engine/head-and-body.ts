/**
 * A message head (a latin1 string) and a small body in one Buffer, so both go to the socket in
 * one `write`: node's cork/uncork of two writes makes the same single `writev` syscall, but
 * through the stream's buffered-write list, a chunk array and a string conversion per message.
 * Bodies over `ONE_WRITE_MAX` are not copied (the caller corks two writes instead).
 */
export const ONE_WRITE_MAX = 16 * 1024;

export function headAndBody(head: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  body.copy(out, head.length);
  return out;
}
