import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

/** A real SMTP server in the test process; the service sends to it over TCP. */
export class SmtpPeer {
  readonly mails: CaughtMail[] = [];
  private waiters: Array<() => void> = [];
  private server: SMTPServer;

  static async start(): Promise<SmtpPeer> {
    const peer = new SmtpPeer();
    await peer.listen();
    return peer;
  }

  port = 0;

  private listen(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw)
            .then((parsed) => {
              const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
              this.mails.push({
                to: (to?.value[0]?.address ?? '').toLowerCase(),
                from: parsed.from?.value[0]?.address ?? '',
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                raw: raw.toString('utf8'),
              });
              this.waiters.splice(0).forEach((wake) => wake());
              callback();
            })
            .catch(callback);
        });
      },
    });
    // A client that dies mid-conversation (the faults suites SIGKILL the service) resets its
    // connection; without a listener smtp-server's 'error' event would crash the test process.
    this.server.on('error', () => undefined);
    return new Promise((resolve) => {
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  mailsTo(address: string): CaughtMail[] {
    return this.mails.filter((mail) => mail.to === address.toLowerCase());
  }

  /** Waits until `count` mails to the address (matching the subject, if given) have arrived. */
  async waitForMails(
    address: string,
    count: number,
    subject?: RegExp,
    timeoutMs = 10_000,
  ): Promise<CaughtMail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.mailsTo(address).filter((mail) => !subject || subject.test(mail.subject));
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for ${count} mail(s) to ${address}; got ${found.length}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitForMail(address: string, subject?: RegExp): Promise<CaughtMail> {
    const mails = await this.waitForMails(address, 1, subject);
    return mails[mails.length - 1];
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The token of the link in a mail's text part. */
export function tokenIn(mail: CaughtMail): string {
  const match = /[?&]token=([A-Za-z0-9_%-]+)/.exec(mail.text);
  if (!match) throw new Error(`No token link in mail: ${mail.text}`);
  return decodeURIComponent(match[1]);
}
