import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConfigDataSource } from '@temporalio/envconfig';

/** TLS towards Temporal: checked PEM material, read once at start-up. */
export interface TemporalTls {
  /** Name the server certificate is checked against (SNI), when not the address's host. */
  serverName: string | undefined;
  /** The server's certificate authority; undefined = the system's roots (Temporal Cloud). */
  serverCa: Buffer | undefined;
  /** mTLS: the client certificate and its private key. */
  client: { cert: Buffer; key: Buffer; subject: string; issuer: string; certFrom: string } | undefined;
}

/** A TLS file or inline value, with the variable (or profile key) it came from for messages. */
export interface NamedSource {
  from: string;
  source: ConfigDataSource;
}

export type TlsMaterialResult = { ok: true; tls: TemporalTls } | { ok: false; problems: string[] };

/**
 * Reads and checks the certificates and key so that a wrong file stops start-up with the
 * variable's name, instead of a TLS failure later. Messages never include the files' contents.
 */
export function readTlsMaterial(opts: {
  serverName: string | undefined;
  cert: NamedSource | undefined;
  key: NamedSource | undefined;
  ca: NamedSource | undefined;
}): TlsMaterialResult {
  const problems: string[] = [];
  const load = (named: NamedSource): Buffer | undefined => {
    const { source } = named;
    if ('data' in source) return Buffer.from(source.data);
    try {
      return readFileSync(source.path);
    } catch (err) {
      problems.push(`${named.from}: cannot read ${source.path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      return undefined;
    }
  };
  const certificate = (named: NamedSource | undefined): { pem: Buffer; x509: X509Certificate } | undefined => {
    const pem = named && load(named);
    if (!named || !pem) return undefined;
    try {
      return { pem, x509: new X509Certificate(pem) };
    } catch {
      problems.push(`${named.from}: not a PEM certificate`);
      return undefined;
    }
  };

  const ca = certificate(opts.ca);
  const cert = certificate(opts.cert);
  let key: { pem: Buffer; object: KeyObject } | undefined;
  const keyPem = opts.key && load(opts.key);
  if (opts.key && keyPem) {
    try {
      key = { pem: keyPem, object: createPrivateKey(keyPem) };
    } catch {
      problems.push(`${opts.key.from}: not a PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1)`);
    }
  }

  if (opts.cert && !opts.key) {
    problems.push(`${opts.cert.from} is set without a client key: set TEMPORAL_TLS_CLIENT_KEY_PATH (or TEMPORAL_TLS_CLIENT_KEY_DATA) too`);
  }
  if (opts.key && !opts.cert) {
    problems.push(
      `${opts.key.from} is set without a client certificate: set TEMPORAL_TLS_CLIENT_CERT_PATH (or TEMPORAL_TLS_CLIENT_CERT_DATA) too`,
    );
  }
  if (cert && key && !cert.x509.checkPrivateKey(key.object)) {
    problems.push(`${opts.key!.from}: this private key does not belong to the certificate in ${opts.cert!.from}`);
  }
  if (cert && Date.parse(cert.x509.validTo) < Date.now()) {
    problems.push(`${opts.cert!.from}: the client certificate expired on ${cert.x509.validTo}`);
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    tls: {
      serverName: opts.serverName,
      serverCa: ca?.pem,
      client:
        cert && key
          ? {
              cert: cert.pem,
              key: key.pem,
              subject: oneLine(cert.x509.subject),
              issuer: oneLine(cert.x509.issuer),
              certFrom: opts.cert!.from,
            }
          : undefined,
    },
  };
}

/** X509Certificate gives `CN=a\nO=b`; messages want `CN=a, O=b`. */
function oneLine(name: string): string {
  return name.split('\n').join(', ');
}
