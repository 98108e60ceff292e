import { mailTimestamp } from './password.service';

describe('PasswordService helpers', () => {
  it('formats the mail timestamp in UTC to the second', () => {
    expect(mailTimestamp(new Date('2025-01-31T09:15:02.789Z'))).toBe('2025-01-31 09:15:02');
  });
});
