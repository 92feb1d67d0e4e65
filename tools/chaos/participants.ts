import { connectOAuthUser } from '../support/connect-oauth-user';
import type { ServiceApiClient } from '../support/service-api-client';
import type { ChaosEnvironment } from './environment';

export type ChaosProvider = 'google' | 'microsoft' | 'caldav';

/** A user of the booking platform with one connected calendar. */
export interface ChaosParticipant {
  userId: string;
  provider: ChaosProvider;
  connectionId: string;
  /** Google/Microsoft sandbox account; CalDAV user name. */
  account: string;
}

/**
 * Connects `perProvider` users to each provider through the public API, as end users would:
 * OAuth through the emulators' consent pages, CalDAV with an app password (retried while the
 * faulty proxy fails discovery).
 */
export async function connectParticipants(
  api: ServiceApiClient,
  env: ChaosEnvironment,
  perProvider: number,
  runId: string,
): Promise<ChaosParticipant[]> {
  const out: ChaosParticipant[] = [];
  for (let i = 0; i < perProvider; i++) {
    const g = `${runId}-g${i}`;
    const gEmail = `${g}@sandbox.test`;
    out.push({ userId: g, provider: 'google', account: gEmail, connectionId: await connectOAuthUser(api, 'google', g, gEmail) });
    const m = `${runId}-m${i}`;
    const mEmail = `${m}@contoso.test`;
    out.push({ userId: m, provider: 'microsoft', account: mEmail, connectionId: await connectOAuthUser(api, 'microsoft', m, mEmail) });
    const account = env.caldavAccounts[i]!;
    const c = `${runId}-c${i}`;
    const connected = await api.operationUntilAnswered(
      'createConnection',
      {
        params: { path: { userId: c } },
        body: { provider: 'caldav', serverUrl: env.caldavProxy.url, username: account.username, password: account.password },
      },
      (a) => a.status === 201 || a.status === 200,
    );
    if (connected.status !== 201 && connected.status !== 200) throw new Error(`CalDAV connection for ${c}: ${connected.status}`);
    out.push({ userId: c, provider: 'caldav', account: account.username, connectionId: connected.body.id });
  }
  return out;
}
