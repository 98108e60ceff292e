import { MailerModule } from '@nestjs-modules/mailer';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { mailConfig } from '../config/mail.config';
import { MailService } from './mail.service';

function transportFor(config: ConfigType<typeof mailConfig>) {
  if (!config.smtp) return { streamTransport: true, buffer: true, newline: 'unix' as const };
  const { host, port, user, password } = config.smtp;
  return {
    host,
    port,
    // Implicit TLS on 465; elsewhere STARTTLS whenever the server offers it.
    secure: port === 465,
    auth: password ? { user: user ?? '', pass: password } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  };
}

@Module({
  imports: [
    MailerModule.forRootAsync({
      inject: [mailConfig.KEY],
      useFactory: (config: ConfigType<typeof mailConfig>) => ({
        transport: transportFor(config),
        defaults: { from: config.from },
      }),
    }),
  ],
  providers: [MailService],
  exports: [MailService],
})
export class MailModule {}
