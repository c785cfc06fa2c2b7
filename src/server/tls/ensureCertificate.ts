import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { ConfigError } from '../config/loadConfig.ts';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** 'configured' | 'generated' (made now) | 'reused' (made on an earlier start). */
  origin: 'configured' | 'generated' | 'reused';
  path?: string;
}

const CERT_FILE = 'tls-cert.pem';
const KEY_FILE = 'tls-key.pem';

/** Every name a browser on the LAN may use to reach this box. */
export function localSubjectAltNames(): { dns: string[]; ips: string[] } {
  const dns = [...new Set(['localhost', hostname()])];
  const ips = new Set(['127.0.0.1', '::1']);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) ips.add(address.address.split('%')[0]!);
  }
  return { dns, ips: [...ips] };
}

export async function createSelfSignedCertificate(): Promise<{ cert: string; key: string }> {
  const { dns, ips } = localSubjectAltNames();
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 825 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: `Vigil gateway ${hostname()}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...dns.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the TLS ${what} "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
}

function assertUsablePair(cert: string, key: string, certPath: string, keyPath: string): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new ConfigError(`The TLS certificate "${certPath}" is not a PEM certificate.`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new ConfigError(`The TLS key "${keyPath}" is not a PEM private key (or it is encrypted).`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new ConfigError(`The TLS key "${keyPath}" does not belong to the certificate "${certPath}".`);
  }
}

/** Configured PEMs, else the self-signed pair in dataDir, made on first start and reused after. */
export async function ensureCertificate(options: { dataDir: string; tlsCert?: string | undefined; tlsKey?: string | undefined }): Promise<TlsMaterial> {
  if (options.tlsCert && options.tlsKey) {
    const [cert, key] = await Promise.all([readPem(options.tlsCert, 'certificate'), readPem(options.tlsKey, 'key')]);
    assertUsablePair(cert, key, options.tlsCert, options.tlsKey);
    return { cert, key, origin: 'configured', path: options.tlsCert };
  }
  const certPath = join(options.dataDir, CERT_FILE);
  const keyPath = join(options.dataDir, KEY_FILE);
  try {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { cert, key, origin: 'reused', path: certPath };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`Cannot read the certificate in "${options.dataDir}": ${(error as NodeJS.ErrnoException).code}.`);
    }
  }
  const made = await createSelfSignedCertificate();
  try {
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    await writeFile(keyPath, made.key, { mode: 0o600 });
    await writeFile(certPath, made.cert, { mode: 0o644 });
  } catch (error) {
    throw new ConfigError(`Cannot write the self-signed certificate into "${options.dataDir}": ${(error as NodeJS.ErrnoException).code}.`);
  }
  return { ...made, origin: 'generated', path: certPath };
}
