import { Global, Module } from '@nestjs/common';
import { CryptoService } from './crypto.service';
import { Transactions } from './transactions';

@Global()
@Module({
  providers: [CryptoService, Transactions],
  exports: [CryptoService, Transactions],
})
export class CommonModule {}
