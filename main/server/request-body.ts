import type http from 'node:http';

/** Why a body was not read: too large (413) or the client stopped sending. */
export class BodyError extends Error {
  constructor(
    readonly status: 413 | 400,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/**
 * Reads a request body up to `max` bytes. A Content-Length over the limit is refused before a
 * byte is read; a chunked body is refused as soon as it passes the limit (the rest is not kept).
 */
export function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) return Promise.reject(new BodyError(413, `the request body (${declared} bytes) is over the ${max}-byte limit`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        done = true;
        chunks.length = 0;
        reject(new BodyError(413, `the request body is over the ${max}-byte limit`));
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('aborted', () => {
      if (!done) reject(new BodyError(400, 'the client stopped sending the body'));
      done = true;
    });
    req.on('error', (e) => {
      if (!done) reject(new BodyError(400, `the body could not be read (${e.message})`));
      done = true;
    });
  });
}
