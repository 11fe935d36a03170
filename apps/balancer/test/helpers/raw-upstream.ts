import { createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * An upstream that answers with bytes the test writes itself (malformed framing, a second
 * response nobody asked for, a close mid-body): `answer` is called for every complete request
 * (head, and body by its Content-Length or up to a last chunk) with the socket, the request text and its index on
 * that connection. Counts connections opened and closed.
 */
export interface RawRequest {
  text: string;
  /** Which connection (0-based, in accept order) and which request on it. */
  connection: number;
  index: number;
}

export interface RawUpstream {
  port: number;
  requests: RawRequest[];
  connections: { opened: number; closed: number };
  sockets: Socket[];
  close(): Promise<void>;
}

export async function startRawUpstream(answer: (socket: Socket, req: RawRequest) => void): Promise<RawUpstream> {
  const requests: RawRequest[] = [];
  const connections = { opened: 0, closed: 0 };
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    const connection = connections.opened++;
    sockets.push(socket);
    socket.on('close', () => (connections.closed += 1));
    socket.on('error', () => undefined); // the client under test resets sockets on purpose
    let buffered = '';
    let index = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const chunked = /\r\ntransfer-encoding: *chunked/i.test(buffered.slice(0, end));
        const last = chunked ? buffered.indexOf('0\r\n\r\n', end + 4) : -1;
        if (chunked && last < 0) return;
        const length = chunked ? last + 5 - (end + 4) : Number(/\r\ncontent-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const req = { text: buffered.slice(0, end + 4 + length), connection, index: index++ };
        buffered = buffered.slice(end + 4 + length);
        requests.push(req);
        answer(socket, req);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    connections,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
