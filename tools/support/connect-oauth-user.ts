import { completeConnectLink } from 'calendar-emulators/consent-client';
import type { ServiceApiClient } from './service-api-client';

/**
 * Connects a user's calendar through the public API as the end user would: a connect link,
 * the emulator's consent page, the callback. Returns the new calendar account's id.
 */
export async function connectOAuthUser(
  api: ServiceApiClient,
  provider: 'google' | 'microsoft',
  userId: string,
  email: string,
): Promise<string> {
  const link = await api.operationUntilAnswered('createConnectLink', { params: { path: { userId } }, body: { provider } });
  if (link.status !== 201) throw new Error(`connect link for ${userId}: ${link.status} ${JSON.stringify(link.body)}`);
  const back = await completeConnectLink(link.body.url, email);
  const accountId = back.location ? new URL(back.location, 'http://x').searchParams.get('connection') : null;
  if (!accountId) {
    // No returnUrl: the result page; read the id from the API.
    const list = await api.operationUntilAnswered('listConnections', { params: { path: { userId } } });
    const first = list.status === 200 ? list.body.connections[0] : undefined;
    if (!first) throw new Error(`connecting ${userId} failed: ${back.status}`);
    return first.id;
  }
  return accountId;
}
