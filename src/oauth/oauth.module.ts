import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { MailModule } from '../mail/mail.module';
import { MfaModule } from '../mfa/mfa.module';
import { UsersModule } from '../users/users.module';
import { VerificationModule } from '../verification/verification.module';
import { IdentitiesController } from './identities.controller';
import { OAuthAccounts } from './oauth-accounts';
import { OAuthFlow } from './oauth-flow.entity';
import { OAuthFlows } from './oauth-flows';
import { OAuthProviders } from './oauth-providers';
import { OAuthResult } from './oauth-result.entity';
import { OAuthController } from './oauth.controller';
import { OAuthService } from './oauth.service';
import { UserIdentity } from './user-identity.entity';

/** Social login (issue 30): sign-in with OpenID Connect providers and GitHub, and linking. */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserIdentity, OAuthFlow, OAuthResult]),
    UsersModule,
    AuthModule,
    MfaModule,
    VerificationModule,
    MailModule,
    AuditModule,
  ],
  controllers: [OAuthController, IdentitiesController],
  providers: [OAuthService, OAuthAccounts, OAuthFlows, OAuthProviders],
})
export class OAuthModule {}
