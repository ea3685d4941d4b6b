import { constants, realpathSync } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BASE_HEADERS, refuse } from './responses.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** The page's Content-Security-Policy: only its own scripts, styles, images and sockets; never framed. */
export const UI_CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/**
 * Serves the built renderer. Paths are decoded (a malformed escape is a 400), resolved, then
 * resolved again through every link, and must stay inside the folder (itself resolved once);
 * only regular files are sent. The files hold no data: everything the page shows comes from the
 * token-guarded API, so they are served to any allowed host without the token.
 */
export function staticFiles(dir: string): (pathname: string, req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  const root = realpathSync(dir);
  return async (pathname, req, res) => {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
    } catch {
      return refuse(res, 400, 'the path has a malformed %-escape');
    }
    if (rel.includes('\0') || rel.includes('\\')) return refuse(res, 400, 'the path has a NUL byte or a backslash');
    const asked = path.resolve(root, '.' + rel);
    if (!inside(asked, root)) return refuse(res, 404, 'not found');
    let real: string;
    try {
      real = await realpath(asked);
    } catch {
      return refuse(res, 404, `${rel.slice(0, 200)} not found`);
    }
    if (!inside(real, root)) return refuse(res, 404, `${rel.slice(0, 200)} not found`);
    let fh;
    try {
      fh = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    } catch {
      return refuse(res, 404, `${rel.slice(0, 200)} not found`);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) return refuse(res, 404, `${rel.slice(0, 200)} not found`);
      res.writeHead(200, {
        ...BASE_HEADERS,
        'Content-Type': TYPES[path.extname(real)] ?? 'application/octet-stream',
        'Content-Length': String(st.size),
        'Content-Security-Policy': UI_CSP,
        'Cache-Control': path.extname(real) === '.html' ? 'no-store' : 'no-cache',
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      await pipeline(fh.createReadStream({ autoClose: false }), res);
    } catch {
      // The client went away mid-file, or the file vanished: nothing more to say on this response.
      res.destroy();
    } finally {
      await fh.close().catch(() => undefined);
    }
  };
}

function inside(p: string, root: string): boolean {
  return p === root || p.startsWith(root + path.sep);
}
