import { MailerService } from '@nestjs-modules/mailer';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import Handlebars from 'handlebars';
import { normaliseEmail } from '../common/email';
import { mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mailConfig } from '../config/mail.config';
import { throttleConfig } from '../config/throttle.config';
import { CounterStore } from '../throttle/counter-store';

export type MailKind =
  | 'verify-email'
  | 'password-reset'
  | 'password-changed'
  | 'two-factor'
  | 'sign-in-provider';

const SUBJECTS: Record<MailKind, string> = {
  'verify-email': 'Confirm your email address',
  'password-reset': 'Reset your password',
  'password-changed': 'Your password was changed',
  'two-factor': 'Two-factor login on your account',
  'sign-in-provider': 'A sign-in provider on your account',
};

/** "2025-01-31 09:15:02", read as UTC by the mails that say when something happened. */
export function mailTimestamp(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

interface Rendered {
  subject: string;
  html: string;
  text: string;
}

type Template = (context: Record<string, unknown>) => string;

/**
 * Renders a mail from its text and HTML templates and sends it: over SMTP when SMTP_SERVER is
 * set, otherwise into the outbox folder as an .eml file (and its link in the log, outside
 * production). Sending happens after the request has answered; a failure is logged only.
 */
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailService.name);
  private readonly templates = new Map<string, Template>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly mailer: MailerService,
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
    @Inject(throttleConfig.KEY) private readonly throttle: ConfigType<typeof throttleConfig>,
    private readonly counters: CounterStore,
  ) {}

  /**
   * Counts a mail of this kind to this address against the hourly cap (MAIL_CAP_PER_HOUR).
   * Callers ask before issuing a token, so a capped request never voids the last mailed link.
   */
  async withinCap(kind: MailKind, to: string): Promise<boolean> {
    if (!this.throttle.enabled) return true;
    const { count } = await this.counters.hit(`mail:${kind}:${normaliseEmail(to)}`, 60 * 60 * 1000);
    if (count <= this.throttle.mailPerAddressPerHour) return true;
    this.logger.warn({ kind }, 'Hourly mail cap reached for an address; mail not sent');
    return false;
  }

  verificationLink(token: string): string {
    return this.config.verifyUrl.replace('{token}', encodeURIComponent(token));
  }

  resetLink(token: string): string {
    return this.config.resetUrl.replace('{token}', encodeURIComponent(token));
  }

  /** Queues the mail and returns at once: the caller's answer and timing never depend on SMTP. */
  sendInBackground(kind: MailKind, to: string, context: Record<string, string>): void {
    const sending = this.send(kind, to, context).catch((error: unknown) => {
      this.logger.error({ err: error, kind }, 'Mail could not be sent');
    });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  /** Waits for mails already queued (graceful shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  onApplicationShutdown(): Promise<void> {
    return this.drain();
  }

  private async send(kind: MailKind, to: string, context: Record<string, string>): Promise<void> {
    const mail = this.render(kind, context);
    const message = {
      to,
      from: this.config.from,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    };
    const info = (await this.mailer.sendMail(message)) as { message?: Buffer; messageId?: string };
    if (!this.config.smtp) await this.writeToOutbox(kind, info.message ?? Buffer.from(mail.text));
    if (!this.config.smtp && this.config.logLinks && context.link) {
      this.logger.log(
        { kind, to, link: context.link },
        `Mail written to the outbox: ${context.link}`,
      );
    }
  }

  private render(kind: MailKind, context: Record<string, string>): Rendered {
    return {
      subject: SUBJECTS[kind],
      html: this.template(`${kind}.html`)(context),
      text: this.template(`${kind}.txt`)(context),
    };
  }

  private template(name: string): Template {
    let template = this.templates.get(name);
    if (!template) {
      const source = readFileSync(join(__dirname, 'templates', `${name}.hbs`), 'utf8');
      // Text parts are not HTML: no entity escaping there.
      template = Handlebars.compile(source, { noEscape: name.endsWith('.txt'), strict: true });
      this.templates.set(name, template);
    }
    return template;
  }

  private async writeToOutbox(kind: MailKind, eml: Buffer): Promise<void> {
    await mkdir(this.config.outboxDir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${kind}-${process.hrtime.bigint()}.eml`;
    await writeFile(join(this.config.outboxDir, name), eml, { mode: 0o600 });
  }
}
