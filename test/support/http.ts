import { request as httpsRequest } from 'node:https';

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body as it came, byte for byte (a clip, an image). */
  bytes: Buffer;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON with Content-Type application/json unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string | Buffer;
  /** Source address on loopback (127.0.0.2, …): how tests play several clients. */
  localAddress?: string;
  /** The request target sent exactly as given (the URL parser would resolve `.` and `..`). */
  rawPath?: string;
}

/** A real HTTPS request that accepts the test gateway's self-signed certificate. */
export function httpsRequestTo(url: string, options: HttpOptions = {}): Promise<HttpReply> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | Buffer | undefined = options.rawBody;
  if (payload === undefined && options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, {
      method: options.method ?? (payload === undefined ? 'GET' : 'POST'), headers, rejectUnauthorized: false, localAddress: options.localAddress,
      ...(options.rawPath !== undefined ? { path: options.rawPath } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const body = bytes.toString('utf8');
        let json: unknown;
        try { json = JSON.parse(body); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, bytes, json });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function httpsGet(url: string, headers: Record<string, string> = {}): Promise<HttpReply> {
  return httpsRequestTo(url, { headers });
}

/** The `name=value` part of a Set-Cookie header, for the Cookie header of later requests. */
export function cookieFrom(reply: HttpReply): string {
  const setCookie = [reply.headers['set-cookie'] ?? []].flat()[0];
  if (!setCookie) throw new Error(`no Set-Cookie in reply ${reply.status}: ${reply.body}`);
  return setCookie.split(';')[0]!;
}
