import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../user.entity';

export class UserResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ada_lovelace' })
  username: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty()
  is_verified: boolean;

  static of(user: User): UserResponse {
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      is_verified: Boolean(user.isVerified),
    };
  }
}
