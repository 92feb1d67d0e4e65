import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config';
import { temporalConnectionOptions } from '../../../src/temporal/connection-options';
import { describeTemporalConnection, readTemporalConnection } from '../../../src/temporal/connection-settings';
import { createTestPki, type CertFiles, type TestCa, type TestPki } from '../../support/test-pki';

let pki: TestPki;
let ca: TestCa;
let client: CertFiles;
let otherClient: CertFiles;

beforeAll(async () => {
  pki = await createTestPki();
  ca = await pki.createCa('unit-ca');
  client = await ca.issueClient('unit-client');
  otherClient = await (await pki.createCa('other-ca')).issueClient('other-client');
});
afterAll(() => pki?.remove());

const read = (file: string) => readFileSync(file, 'utf8');
const mtls = () => ({
  TEMPORAL_ADDRESS: 'temporal.example.com:7233',
  TEMPORAL_TLS_CLIENT_CERT_PATH: client.cert,
  TEMPORAL_TLS_CLIENT_KEY_PATH: client.key,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.cert,
  TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
});

function problems(env: Record<string, string>): string[] {
  const r = readTemporalConnection(env);
  return r.ok ? [] : r.problems;
}

function options(env: Record<string, string>) {
  const r = readTemporalConnection(env);
  if (!r.ok) throw new Error(r.problems.join('; '));
  return temporalConnectionOptions(r.connection);
}

describe('Temporal connection options (client and worker alike)', () => {
  it('defaults to plain gRPC on the dev server address', () => {
    expect(options({})).toEqual({ address: '127.0.0.1:7233', metadata: {}, tls: false });
  });

  it('an API key turns TLS on with the system roots (Temporal Cloud)', () => {
    const r = readTemporalConnection({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_API_KEY: 'k-123',
    });
    expect(r.ok && r.connection.namespace).toBe('ns.acct');
    expect(options({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k-123' })).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      metadata: {},
      apiKey: 'k-123',
      tls: {},
    });
  });

  it('TEMPORAL_TLS=true alone is TLS with the system roots; false keeps plain gRPC', () => {
    expect(options({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
    expect(options({ TEMPORAL_TLS: 'false' }).tls).toBe(false);
  });

  it('mTLS from files: client pair, server CA and server name', () => {
    expect(options(mtls()).tls).toEqual({
      serverNameOverride: 'frontend.internal',
      serverRootCACertificate: readFileSync(ca.cert),
      clientCertPair: { crt: readFileSync(client.cert), key: readFileSync(client.key) },
    });
  });

  it('mTLS from inline PEM (the _DATA variables)', () => {
    const tls = options({
      TEMPORAL_TLS_CLIENT_CERT_DATA: read(client.cert),
      TEMPORAL_TLS_CLIENT_KEY_DATA: read(client.key),
      TEMPORAL_TLS_SERVER_CA_CERT_DATA: read(ca.cert),
    }).tls;
    expect(tls).toEqual({
      serverRootCACertificate: readFileSync(ca.cert),
      clientCertPair: { crt: readFileSync(client.cert), key: readFileSync(client.key) },
    });
  });

  it('gRPC headers from TEMPORAL_GRPC_META_*', () => {
    expect(options({ TEMPORAL_GRPC_META_X_TENANT: 'blue' }).metadata).toEqual({ 'x-tenant': 'blue' });
  });

  it('reads a profile of TEMPORAL_CONFIG_FILE chosen by TEMPORAL_PROFILE; variables override it', () => {
    const file = path.join(pki.dir, 'temporal.toml');
    writeFileSync(
      file,
      [
        '[profile.default]',
        'address = "localhost:7233"',
        '[profile.prod]',
        'address = "temporal.prod.internal:7233"',
        'namespace = "bookings"',
        '[profile.prod.tls]',
        `client_cert_path = "${client.cert}"`,
        `client_key_path = "${client.key}"`,
        `server_ca_cert_path = "${ca.cert}"`,
      ].join('\n'),
    );
    const r = readTemporalConnection({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(r.ok && r.connection.namespace).toBe('bookings');
    expect(r.ok && r.connection.address).toBe('temporal.prod.internal:7233');
    expect(r.ok && r.connection.tls && r.connection.tls.client?.subject).toBe('CN=unit-client');
    const overridden = readTemporalConnection({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_ADDRESS: 'other:7233' });
    expect(overridden.ok && overridden.connection.address).toBe('other:7233');
    expect(readTemporalConnection({ TEMPORAL_CONFIG_FILE: file }).ok && options({ TEMPORAL_CONFIG_FILE: file }).address).toBe(
      'localhost:7233',
    );
  });
});

describe('Temporal connection problems name the variable and never show key material', () => {
  it('a missing or unreadable file', () => {
    expect(problems({ ...mtls(), TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem' })).toEqual([
      'TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read /nonexistent/client.pem (ENOENT)',
    ]);
    expect(problems({ ...mtls(), TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.dir })).toEqual([
      `TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read ${pki.dir} (EISDIR)`,
    ]);
  });

  it('a certificate without its key, and a key without its certificate', () => {
    const { TEMPORAL_TLS_CLIENT_KEY_PATH: _key, ...certOnly } = mtls();
    expect(problems(certOnly)).toEqual([
      'TEMPORAL_TLS_CLIENT_CERT_PATH is set without a client key: set TEMPORAL_TLS_CLIENT_KEY_PATH (or TEMPORAL_TLS_CLIENT_KEY_DATA) too',
    ]);
    expect(problems({ TEMPORAL_TLS_CLIENT_KEY_DATA: read(client.key) })).toEqual([
      'TEMPORAL_TLS_CLIENT_KEY_DATA is set without a client certificate: set TEMPORAL_TLS_CLIENT_CERT_PATH (or TEMPORAL_TLS_CLIENT_CERT_DATA) too',
    ]);
  });

  it("a key that is not the certificate's, and files that are not PEM", () => {
    expect(problems({ ...mtls(), TEMPORAL_TLS_CLIENT_KEY_PATH: otherClient.key })).toEqual([
      'TEMPORAL_TLS_CLIENT_KEY_PATH: this private key does not belong to the certificate in TEMPORAL_TLS_CLIENT_CERT_PATH',
    ]);
    const p = problems({
      ...mtls(),
      TEMPORAL_TLS_CLIENT_CERT_PATH: client.key,
      TEMPORAL_TLS_CLIENT_KEY_DATA: 'not a key',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '',
    });
    expect(p).toEqual([
      'TEMPORAL_TLS_CLIENT_CERT_PATH: not a PEM certificate',
      'TEMPORAL_TLS_CLIENT_KEY_DATA: not a PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1)',
    ]);
    expect(p.join('\n')).not.toMatch(/PRIVATE KEY|not a key/);
  });

  it('contradictions and values envconfig would misread', () => {
    expect(problems({ ...mtls(), TEMPORAL_TLS: 'false' })).toEqual([
      'TEMPORAL_TLS turns TLS off, yet TLS certificates are configured: remove one or the other',
    ]);
    expect(problems({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })[0]).toMatch(
      /^TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported/,
    );
    expect(problems({ TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' })).toEqual([
      'TEMPORAL_CONFIG_FILE: cannot read /nonexistent/temporal.toml (ENOENT)',
    ]);
  });

  it('a profile that is not there, and a file that is not TOML (without quoting it)', () => {
    const file = path.join(pki.dir, 'broken.toml');
    writeFileSync(file, '[profile.default]\napi_key = "sk-secret-value\n');
    const broken = problems({ TEMPORAL_CONFIG_FILE: file });
    expect(broken).toEqual([expect.stringMatching(new RegExp(`^${file}: not valid TOML \\(line \\d+, column \\d+\\)$`))]);
    expect(broken.join('\n')).not.toContain('sk-secret-value');
    writeFileSync(file, '[profile.default]\naddress = "a:1"\n');
    expect(problems({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' })).toEqual([
      `TEMPORAL_PROFILE: profile "prod" is not in ${file}`,
    ]);
  });

  it('loadConfig reports them with the rest, and rejects a TEMPORAL_TLS envconfig would read as "off"', () => {
    const base = { API_KEYS: 'dev_key_1', WEBHOOK_SECRET: 'secret', ENCRYPTION_KEYS: `dev1:${'a'.repeat(64)}` };
    const err = (() => {
      try {
        loadConfig({ ...base, TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: client.key });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual(['TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read /nonexistent/client.pem (ENOENT)']);
    expect(() => loadConfig({ ...base, TEMPORAL_TLS: 'yes' })).toThrow('TEMPORAL_TLS must be true or false');
    expect(loadConfig({ ...base, ...mtls() }).temporal.tls).toMatchObject({ serverName: 'frontend.internal' });
  });

  it('what is logged about a connection holds no API key, key or header value', () => {
    const r = readTemporalConnection({ ...mtls(), TEMPORAL_API_KEY: 'k-very-secret', TEMPORAL_GRPC_META_AUTHZ: 'hdr-secret' });
    if (!r.ok) throw new Error(r.problems.join());
    const logged = JSON.stringify(describeTemporalConnection(r.connection)) + inspect(describeTemporalConnection(r.connection));
    expect(logged).toContain('CN=unit-client');
    expect(logged).not.toMatch(/k-very-secret|hdr-secret|PRIVATE KEY|BEGIN/);
  });
});
