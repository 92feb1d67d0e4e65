import type { Signer } from '../crypto/signer';
import type { SettingsLinkStore } from '../db/settings-links';

/** How long a settings link works: a sitting, not a session that lingers. */
export const SETTINGS_LINK_TTL_MS = 60 * 60_000;
/** A session ends after this long without a request (each request renews it)… */
export const SETTINGS_SESSION_IDLE_MS = 30 * 60_000;
/** …and this long after the link was exchanged, however active. */
export const SETTINGS_SESSION_MAX_MS = 8 * 60 * 60_000;

/** The signed link's payload: user, link generation, expiry. */
interface LinkPayload {
  u: string;
  g: number;
  exp: number;
}

/** The signed session cookie's payload: user, link generation, when it began, expiry. */
interface SessionPayload {
  u: string;
  g: number;
  iat: number;
  exp: number;
}

/** A user's settings session: who, and the (renewed) cookie value that carries it. */
export interface SettingsSession {
  userId: string;
  cookie: string;
  maxAgeMs: number;
}

export interface SettingsAccessDeps {
  links: SettingsLinkStore;
  /** Signs links (purpose `settings-link`). */
  linkSigner: Signer;
  /** Signs session cookies (its own purpose: a link is never a session, nor the reverse). */
  sessionSigner: Signer;
  /**
   * When the user's erasure was asked for, if ever. Erasure deletes their generation row, so the
   * generation starts again at 0; links and sessions issued before it are refused by their time.
   */
  erasedSince?: (userId: string) => Promise<Date | undefined>;
}

/**
 * Who may see a user's settings page. The booking system mints a signed link; the browser
 * exchanges it for a short session (a signed cookie) and the link leaves the URL. Links and
 * sessions carry the user's generation: a revocation raises it and refuses them all.
 */
export class SettingsAccess {
  constructor(private readonly deps: SettingsAccessDeps) {}

  async mintLink(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const exp = Date.now() + SETTINGS_LINK_TTL_MS;
    const g = await this.deps.links.generation(userId);
    return { token: this.deps.linkSigner.sign({ u: userId, g, exp } satisfies LinkPayload), expiresAt: new Date(exp) };
  }

  /** Refuses every link and session issued for the user so far. */
  async revoke(userId: string): Promise<void> {
    await this.deps.links.revoke(userId);
  }

  /** A valid, current link becomes a new session; anything else is refused. */
  async exchange(token: string): Promise<SettingsSession | undefined> {
    const link = this.deps.linkSigner.verify<LinkPayload>(token);
    if (!link || !validShape(link) || link.exp < Date.now()) return undefined;
    if ((await this.deps.links.generation(link.u)) !== link.g) return undefined;
    if (await this.issuedBeforeErasure(link.u, link.exp - SETTINGS_LINK_TTL_MS)) return undefined;
    return this.session({ u: link.u, g: link.g, iat: Date.now() });
  }

  /** The session a cookie carries, renewed; undefined when forged, expired or revoked. */
  async resume(cookie: string | undefined): Promise<SettingsSession | undefined> {
    const s = cookie ? this.deps.sessionSigner.verify<SessionPayload>(cookie) : undefined;
    if (!s || !validShape(s) || typeof s.iat !== 'number' || s.exp < Date.now()) return undefined;
    if ((await this.deps.links.generation(s.u)) !== s.g) return undefined;
    if (await this.issuedBeforeErasure(s.u, s.iat)) return undefined;
    return this.session(s);
  }

  private async issuedBeforeErasure(userId: string, issuedAtMs: number): Promise<boolean> {
    const erased = await this.deps.erasedSince?.(userId);
    return erased !== undefined && issuedAtMs <= erased.getTime();
  }

  private session(s: Omit<SessionPayload, 'exp'>): SettingsSession | undefined {
    const now = Date.now();
    const exp = Math.min(now + SETTINGS_SESSION_IDLE_MS, s.iat + SETTINGS_SESSION_MAX_MS);
    if (exp <= now) return undefined;
    const cookie = this.deps.sessionSigner.sign({ u: s.u, g: s.g, iat: s.iat, exp } satisfies SessionPayload);
    return { userId: s.u, cookie, maxAgeMs: exp - now };
  }
}

function validShape(p: { u: unknown; g: unknown; exp: unknown }): boolean {
  return typeof p.u === 'string' && typeof p.g === 'number' && typeof p.exp === 'number';
}
