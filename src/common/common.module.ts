import { Global, Module } from '@nestjs/common';
import { CryptoService } from './crypto.service';
import { Sql } from './sql';
import { Transactions } from './transactions';

@Global()
@Module({
  providers: [CryptoService, Sql, Transactions],
  exports: [CryptoService, Sql, Transactions],
})
export class CommonModule {}
