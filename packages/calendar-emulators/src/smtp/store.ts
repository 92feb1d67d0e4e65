import { simpleParser, type AddressObject } from 'mailparser';

/** A calendar part of a message: the inline `text/calendar` alternative or an attached `.ics`. */
export interface SandboxCalendarPart {
  contentType: string;
  /** The iTIP method from the part's Content-Type (`method=REQUEST`), when it names one. */
  method: string | null;
  filename: string | null;
  /** Inline (an alternative of the message) or an attachment. */
  disposition: 'inline' | 'attachment';
  content: string;
}

/** One message the sandbox accepted, as received and as parsed. */
export interface SandboxMessage {
  /** The sandbox's own id, in order of arrival (1, 2, …). */
  id: number;
  receivedAt: string;
  envelope: { from: string | null; to: string[] };
  messageId: string | null;
  subject: string | null;
  from: string | null;
  to: string[];
  text: string | null;
  calendars: SandboxCalendarPart[];
  /** The message exactly as it came over SMTP. */
  raw: string;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((group) => group.value.map((address) => address.address ?? '')).filter((a) => a !== '');
}

/** What the sandbox remembers: accepted messages, and how many deliveries it still refuses. */
export class SmtpSandboxStore {
  private readonly messages: SandboxMessage[] = [];
  private refuse = 0;
  private refusedCount = 0;
  private hold = 0;
  private readonly parked: (() => void)[] = [];

  /** The next `count` deliveries are answered with a temporary failure (451), as a busy server does. */
  refuseNext(count: number): void {
    this.refuse = Math.max(0, Math.floor(count));
  }

  /** Takes one refusal if any is left; counts it. */
  takeRefusal(): boolean {
    if (this.refuse === 0) return false;
    this.refuse -= 1;
    this.refusedCount += 1;
    return true;
  }

  get refused(): number {
    return this.refusedCount;
  }

  get pendingRefusals(): number {
    return this.refuse;
  }

  /**
   * The next `count` deliveries are kept (and listed) but their acceptance is not answered until
   * `release()`: the window in which a sender that crashes does not know the server took its mail.
   */
  holdNext(count: number): void {
    this.hold = Math.max(0, Math.floor(count));
  }

  /** Answers the accepted delivery now, or later on `release()` if it is one to hold. */
  answer(reply: () => void): void {
    if (this.hold === 0) {
      reply();
      return;
    }
    this.hold -= 1;
    this.parked.push(reply);
  }

  /** How many accepted deliveries wait for their answer. */
  get held(): number {
    return this.parked.length;
  }

  /** Answers every held delivery (a sender that went away meanwhile gets nothing). */
  release(): void {
    for (const reply of this.parked.splice(0)) reply();
  }

  list(): SandboxMessage[] {
    return [...this.messages];
  }

  reset(): void {
    this.messages.length = 0;
    this.refuse = 0;
    this.refusedCount = 0;
    this.hold = 0;
    this.release();
  }

  async accept(raw: Buffer, envelope: SandboxMessage['envelope']): Promise<SandboxMessage> {
    const parsed = await simpleParser(raw);
    const calendars: SandboxCalendarPart[] = parsed.attachments
      .filter((a) => a.contentType === 'text/calendar' || a.contentType === 'application/ics' || a.filename?.endsWith('.ics'))
      .map((a) => ({
        contentType: a.contentType,
        method: typeof a.headers.get('content-type') === 'object' ? methodOf(a.headers.get('content-type')) : null,
        filename: a.filename ?? null,
        disposition: a.contentDisposition === 'attachment' ? 'attachment' : 'inline',
        content: a.content.toString('utf8'),
      }));
    const message: SandboxMessage = {
      id: this.messages.length + 1,
      receivedAt: new Date().toISOString(),
      envelope,
      messageId: parsed.messageId ?? null,
      subject: parsed.subject ?? null,
      from: addresses(parsed.from)[0] ?? null,
      to: addresses(parsed.to),
      text: parsed.text ?? null,
      calendars,
      raw: raw.toString('utf8'),
    };
    this.messages.push(message);
    return message;
  }
}

/** The `method` parameter of a parsed Content-Type header (`{ value, params }`). */
function methodOf(header: unknown): string | null {
  const params = (header as { params?: Record<string, string> }).params;
  return params?.method?.toUpperCase() ?? null;
}
