import { isIP } from 'node:net';
import tls from 'node:tls';
import type { TemporalConnection } from './connection-settings';

/**
 * Why a connection to Temporal failed, in the operator's terms. Temporal's clients report a
 * refused client certificate as a closed pipe or a connect timeout; one TLS handshake of our own
 * with the same material (and HTTP/2's first frame, which a server sends only to a client it
 * accepted) tells which side refused what. Undefined when this probe finds nothing wrong.
 */
export async function diagnoseConnection(c: TemporalConnection, timeoutMs = 5_000): Promise<string | undefined> {
  const outcome = await probe(c, timeoutMs);
  if (c.tls === false) {
    // Plain gRPC to a TLS-only frontend (Temporal Cloud, most clusters) only ever times out.
    const speaksTls =
      outcome.kind === 'tls-ok' ||
      outcome.kind === 'closed-after-handshake' ||
      (outcome.kind === 'error' && (CERT_REQUIRED.has(outcome.err.code ?? '') || CERT_REFUSED.has(outcome.err.code ?? '')));
    return speaksTls
      ? 'the server expects TLS: set TEMPORAL_TLS=true (with TEMPORAL_TLS_SERVER_CA_CERT_PATH and a client certificate if it needs them)'
      : unreachable(outcome, c.address);
  }
  const sentCert = c.tls.client;
  switch (outcome.kind) {
    case 'tls-ok':
      return undefined;
    case 'closed-after-handshake':
      return sentCert
        ? certificateRefused(sentCert)
        : 'the server closed the connection after the TLS handshake without a client certificate: it probably requires one (TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH)';
    case 'error':
      return explainError(c, outcome.err);
    case 'timeout':
      return `no TLS answer from ${c.address} within ${timeoutMs / 1000} s`;
  }
}

type Outcome =
  { kind: 'tls-ok' } | { kind: 'closed-after-handshake' } | { kind: 'error'; err: NodeJS.ErrnoException } | { kind: 'timeout' };

// The client connection preface and an empty SETTINGS frame (RFC 9113 §3.4).
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

function probe(c: TemporalConnection, timeoutMs: number): Promise<Outcome> {
  const at = c.address.lastIndexOf(':');
  const host = c.address.slice(0, at);
  const material = c.tls === false ? undefined : c.tls;
  const serverName = material?.serverName ?? (isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    let handshaken = false;
    const socket = tls.connect({
      host,
      port: Number(c.address.slice(at + 1)),
      ALPNProtocols: ['h2'],
      ...(serverName !== undefined ? { servername: serverName } : {}),
      // Without TLS configured the probe only asks whether the server speaks TLS at all.
      rejectUnauthorized: material !== undefined,
      ...(material?.serverCa ? { ca: material.serverCa } : {}),
      ...(material?.client ? { cert: material.client.cert, key: material.client.key } : {}),
    });
    const finish = (outcome: Outcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    socket.once('secureConnect', () => {
      handshaken = true;
      socket.write(H2_PREFACE);
    });
    socket.once('data', () => finish({ kind: 'tls-ok' }));
    socket.once('error', (err: NodeJS.ErrnoException) => finish({ kind: 'error', err }));
    socket.once('close', () =>
      finish(
        handshaken ? { kind: 'closed-after-handshake' } : { kind: 'error', err: new Error('connection closed during the TLS handshake') },
      ),
    );
  });
}

const SERVER_UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);
const CERT_REQUIRED = new Set(['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED']);
const CERT_REFUSED = new Set([
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
]);
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ECONNRESET']);

function explainError(c: TemporalConnection, err: NodeJS.ErrnoException): string | undefined {
  const code = err.code ?? '';
  const material = c.tls === false ? undefined : c.tls;
  if (SERVER_UNTRUSTED.has(code)) {
    return `the server's certificate is not trusted (${code}): set TEMPORAL_TLS_SERVER_CA_CERT_PATH to the certificate authority that issued it`;
  }
  if (code === 'CERT_HAS_EXPIRED') return "the server's certificate has expired";
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const reason = (err as Error & { reason?: string }).reason ?? err.message;
    return `the server's certificate does not name the host we connect to (${reason}): set TEMPORAL_TLS_SERVER_NAME to a name it carries`;
  }
  if (CERT_REQUIRED.has(code) || (CERT_REFUSED.has(code) && !material?.client)) {
    return 'the server requires a client certificate and none is configured: set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or their _DATA forms)';
  }
  if (CERT_REFUSED.has(code) && material?.client) return certificateRefused(material.client);
  if (NOT_TLS.has(code))
    return `the server at ${c.address} does not answer TLS (${code}): check the address, or turn TLS off (TEMPORAL_TLS=false) for a plain-text server`;
  return unreachable({ kind: 'error', err }, c.address);
}

function certificateRefused(client: NonNullable<Exclude<TemporalConnection['tls'], false>['client']>): string {
  return (
    `the server refused the client certificate from ${client.certFrom} (subject "${client.subject}", issued by "${client.issuer}"): ` +
    'it must be issued by a certificate authority the server trusts for clients'
  );
}

function unreachable(outcome: Outcome, address: string): string | undefined {
  if (outcome.kind === 'timeout') return `nothing answered at ${address}`;
  if (outcome.kind !== 'error') return undefined;
  const code = outcome.err.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT'
    ? `nothing accepts connections at ${address} (${code})`
    : undefined;
}
