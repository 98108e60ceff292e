import { IsPasswordField } from '../../users/password-field';

export class DeleteAccountRequest {
  /** The account's current password: deletion cannot be undone. */
  @IsPasswordField()
  password: string;
}
