import type { Signer } from '../crypto/signer';
import type { SettingsLinkStore } from '../db/settings-links';

/** How long a settings link works: a sitting, not a session that lingers. */
export const SETTINGS_LINK_TTL_MS = 60 * 60_000;
/** A session ends after this long without a request (each request renews it)… */
export const SETTINGS_SESSION_IDLE_MS = 30 * 60_000;
/** …and this long after the link was exchanged, however active. */
export const SETTINGS_SESSION_MAX_MS = 8 * 60 * 60_000;

/** The signed link's payload: user, link generation, expiry, and the zone its pages show times in. */
interface LinkPayload {
  u: string;
  g: number;
  exp: number;
  tz?: string;
}

/** The signed session cookie's payload: user, link generation, when it began, expiry, the link's zone. */
interface SessionPayload {
  u: string;
  g: number;
  iat: number;
  exp: number;
  tz?: string;
}

/** A user's settings session: who, and the (renewed) cookie value that carries it. */
export interface SettingsSession {
  userId: string;
  cookie: string;
  maxAgeMs: number;
  /** The user's link generation and when the session began (epoch ms): what a window pass carries on. */
  generation: number;
  startedAt: number;
  /** The IANA zone the link asked times to be shown in; absent: the browser's own. */
  timeZone?: string;
}

/** A window pass's payload: the session it carries into a new window, and its own expiry. */
interface WindowPassPayload {
  w: string;
  g: number;
  iat: number;
  exp: number;
  tz?: string;
}

export interface SettingsAccessDeps {
  links: SettingsLinkStore;
  /** Signs links (purpose `settings-link`). */
  linkSigner: Signer;
  /** Signs session cookies (its own purpose: a link is never a session, nor the reverse). */
  sessionSigner: Signer;
  /** Signs window passes (a purpose of their own again). */
  windowSigner: Signer;
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

  /** `timeZone` (an IANA zone the caller checked) travels signed in the link and then in the session. */
  async mintLink(userId: string, timeZone?: string): Promise<{ token: string; expiresAt: Date }> {
    const exp = Date.now() + SETTINGS_LINK_TTL_MS;
    const g = await this.deps.links.generation(userId);
    const payload: LinkPayload = { u: userId, g, exp, ...(timeZone ? { tz: timeZone } : {}) };
    return { token: this.deps.linkSigner.sign(payload), expiresAt: new Date(exp) };
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
    return this.session({ u: link.u, g: link.g, iat: Date.now(), ...zoneOf(link) });
  }

  /** The session a cookie carries, renewed; undefined when forged, expired or revoked. */
  async resume(cookie: string | undefined): Promise<SettingsSession | undefined> {
    const s = cookie ? this.deps.sessionSigner.verify<SessionPayload>(cookie) : undefined;
    if (!s || !validShape(s) || typeof s.iat !== 'number' || s.exp < Date.now()) return undefined;
    if ((await this.deps.links.generation(s.u)) !== s.g) return undefined;
    if (await this.issuedBeforeErasure(s.u, s.iat)) return undefined;
    return this.session(s);
  }

  /**
   * A pass that carries this session into a new top-level window of the same browser. A framed
   * page's cookie is partitioned under the framing site, so the window the page opens (for an
   * OAuth consent, which providers never show in a frame) does not have it; the page's form
   * posts the pass instead. Accepted from this service's own pages only (like every form), it
   * ends when the session would, and is refused after a revocation like the session.
   */
  windowPass(session: SettingsSession): string {
    const exp = Math.min(Date.now() + SETTINGS_SESSION_IDLE_MS, session.startedAt + SETTINGS_SESSION_MAX_MS);
    return this.deps.windowSigner.sign({
      w: session.userId,
      g: session.generation,
      iat: session.startedAt,
      exp,
      ...(session.timeZone ? { tz: session.timeZone } : {}),
    } satisfies WindowPassPayload);
  }

  /** The session a window pass carries, as a new cookie; undefined when forged, expired or revoked. */
  async openWindow(pass: string): Promise<SettingsSession | undefined> {
    const p = this.deps.windowSigner.verify<WindowPassPayload>(pass);
    if (!p || typeof p.w !== 'string' || typeof p.g !== 'number' || typeof p.iat !== 'number' || typeof p.exp !== 'number')
      return undefined;
    if (p.exp < Date.now() || (await this.deps.links.generation(p.w)) !== p.g) return undefined;
    if (await this.issuedBeforeErasure(p.w, p.iat)) return undefined;
    return this.session({ u: p.w, g: p.g, iat: p.iat, ...zoneOf(p) });
  }

  private async issuedBeforeErasure(userId: string, issuedAtMs: number): Promise<boolean> {
    const erased = await this.deps.erasedSince?.(userId);
    return erased !== undefined && issuedAtMs <= erased.getTime();
  }

  private session(s: Omit<SessionPayload, 'exp'>): SettingsSession | undefined {
    const now = Date.now();
    const exp = Math.min(now + SETTINGS_SESSION_IDLE_MS, s.iat + SETTINGS_SESSION_MAX_MS);
    if (exp <= now) return undefined;
    const zone = zoneOf(s);
    const cookie = this.deps.sessionSigner.sign({ u: s.u, g: s.g, iat: s.iat, exp, ...zone } satisfies SessionPayload);
    return { userId: s.u, cookie, maxAgeMs: exp - now, generation: s.g, startedAt: s.iat, ...(zone.tz ? { timeZone: zone.tz } : {}) };
  }
}

/** The zone a signed payload carries (only a string is taken: the signature vouches for the rest). */
function zoneOf(p: { tz?: unknown }): { tz?: string } {
  return typeof p.tz === 'string' && p.tz !== '' ? { tz: p.tz } : {};
}

function validShape(p: { u: unknown; g: unknown; exp: unknown }): boolean {
  return typeof p.u === 'string' && typeof p.g === 'number' && typeof p.exp === 'number';
}
