import type { BookingDetails } from './booking';

/** What an e-mail address looks like in a provider's error message. */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** Shorter strings (a one-letter name) would blank out ordinary words of the message. */
const MIN_KNOWN = 3;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Error text as it may be stored: provider messages sometimes echo what was sent (an attendee's
 * address, the event's title), and the audit columns keep them in clear. E-mail addresses are
 * replaced wherever they appear, and so is each of `known` (a booking's personal strings).
 */
export function redactPersonal(text: string, known: readonly string[] = []): string {
  const words = [...new Set(known.map((k) => k.trim()).filter((k) => k.length >= MIN_KNOWN))].sort((a, b) => b.length - a.length);
  const named = words.length > 0 ? text.replace(new RegExp(words.map(escape).join('|'), 'gi'), '[personal data]') : text;
  return named.replace(EMAIL, '[e-mail address]');
}

/** A booking's strings that name or describe people, for redactPersonal. */
export function personalStrings(details: BookingDetails): string[] {
  return [
    details.title,
    details.description ?? '',
    details.location ?? '',
    details.meetingUrl ?? '',
    ...details.participants.flatMap((p) => [p.name, p.email]),
  ];
}
