import { Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AccountsModule } from './accounts/accounts.module';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { ProblemDetailsFilter } from './common/problem-details.filter';
import { createValidationPipe } from './common/validation';
import { appConfig } from './config/app.config';
import { databaseConfig } from './config/database.config';
import { CONFIG_NAMESPACES } from './config/namespaces';
import { typeOrmOptions } from './database/typeorm-options';
import { HealthModule } from './health/health.module';
import { IntrospectionModule } from './introspection/introspection.module';
import { KeysModule } from './keys/keys.module';
import { loggerParams } from './logging';
import { MfaModule } from './mfa/mfa.module';
import { OAuthModule } from './oauth/oauth.module';
import { PagesModule } from './pages/pages.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { PasswordModule } from './password/password.module';
import { RedisModule } from './redis/redis.module';
import { SessionsModule } from './sessions/sessions.module';
import { CountersModule } from './throttle/counters.module';
import { ThrottleModule } from './throttle/throttle.module';
import { UsersModule } from './users/users.module';
import { VerificationModule } from './verification/verification.module';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: false,
      load: CONFIG_NAMESPACES,
    }),
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: ConfigType<typeof appConfig>) => loggerParams(config),
    }),
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (db: ConfigType<typeof databaseConfig>) => ({
        ...typeOrmOptions(db),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
    CommonModule,
    RedisModule,
    CountersModule,
    ThrottleModule,
    UsersModule,
    SessionsModule,
    KeysModule,
    IntrospectionModule,
    AuthModule,
    VerificationModule,
    PasswordModule,
    MfaModule,
    OAuthModule,
    AuditModule,
    AccountsModule,
    AdminModule,
    HealthModule,
    PagesModule,
    DashboardModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class AppModule {}
