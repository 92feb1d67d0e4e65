import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { confirmBody, connectedPair, settled, strip } from '../support/bookings';
import { startHarness } from '../support/harness';
import { startMtlsProxy, type MtlsProxy } from '../support/mtls-proxy';
import { createTestPki, type CertFiles, type TestCa, type TestPki } from '../support/test-pki';

// The dev server behind a TLS front that demands a client certificate from a CA made here: what
// a secured self-hosted cluster (or Temporal Cloud with mTLS) asks of the API and the workers.
let pki: TestPki;
let ca: TestCa;
let clientCert: CertFiles;
let foreignCert: CertFiles;
let proxy: MtlsProxy;

beforeAll(async () => {
  pki = await createTestPki();
  ca = await pki.createCa('temporal-test-ca');
  const serverCert = await ca.issueServer('temporal-frontend', ['temporal.test']);
  clientCert = await ca.issueClient('calendar-sync');
  foreignCert = await (await pki.createCa('another-ca')).issueClient('calendar-sync');
  proxy = await startMtlsProxy({ upstream: inject('temporalAddress'), cert: serverCert.cert, key: serverCert.key, clientCa: ca.cert });
});
afterAll(async () => {
  await proxy?.close();
  await pki?.remove();
});

/** TLS towards the proxy; its certificate names `temporal.test`, not the address we dial. */
function tlsEnv(client?: CertFiles): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: proxy.address,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.cert,
    TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
    ...(client ? { TEMPORAL_TLS_CLIENT_CERT_PATH: client.cert, TEMPORAL_TLS_CLIENT_KEY_PATH: client.key } : {}),
  };
}

describe('Temporal over mTLS', () => {
  it('the API and a worker connect through the mTLS front and a booking syncs', async () => {
    const h = await startHarness(tlsEnv(clientCert));
    onTestFinished(() => h.close());
    // The client's and the worker's connections both came through the front with our certificate.
    expect(proxy.accepted.filter((cn) => cn === 'calendar-sync').length).toBeGreaterThanOrEqual(2);

    const { tutor, client } = await connectedPair(h);
    const bookingId = h.id('bk');
    const res = await h.api('POST', `/v1/bookings/${bookingId}/confirm`, confirmBody([strip(tutor), strip(client)], { version: 1 }));
    expect(res.status).toBe(202);
    const view = await settled(h, bookingId, (v) => v.calendars.filter((c) => c.state === 'synced').length === 2);
    expect(view.calendars.map((c) => c.userId).sort()).toEqual([tutor.userId, client.userId].sort());

    const logs = h.logs.join('');
    expect(logs).toContain('connecting to Temporal');
    expect(logs).not.toContain('PRIVATE KEY');
    expect(logs).not.toContain(readFileSync(clientCert.key, 'utf8').split('\n')[1]);
  });

  it('without a client certificate, start-up stops and says the server requires one', async () => {
    const refusedBefore = proxy.refusals.length;
    await expect(startHarness(tlsEnv())).rejects.toThrow(
      `Cannot connect to Temporal at ${proxy.address} (namespace default): the server requires a client certificate and none is configured: ` +
        'set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or their _DATA forms)',
    );
    expect(proxy.refusals.slice(refusedBefore).some((r) => r.includes('peer did not return a certificate'))).toBe(true);
  });

  it('with a certificate from another CA, start-up stops and names the refused certificate', async () => {
    await expect(startHarness(tlsEnv(foreignCert))).rejects.toThrow(
      `Cannot connect to Temporal at ${proxy.address} (namespace default): the server refused the client certificate from ` +
        'TEMPORAL_TLS_CLIENT_CERT_PATH (subject "CN=calendar-sync", issued by "CN=another-ca"): ' +
        'it must be issued by a certificate authority the server trusts for clients',
    );
  });
});
