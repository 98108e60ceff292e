import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { IntrospectionClientGuard } from './introspection-client.guard';
import { IntrospectionController } from './introspection.controller';
import { IntrospectionService } from './introspection.service';

/** POST /oauth/introspect: token introspection for resource servers. */
@Module({
  imports: [KeysModule, SessionsModule],
  controllers: [IntrospectionController],
  providers: [IntrospectionService, IntrospectionClientGuard],
})
export class IntrospectionModule {}
