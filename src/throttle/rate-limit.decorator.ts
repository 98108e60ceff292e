import { SetMetadata } from '@nestjs/common';
import type { RateLimitedEndpoint } from '../config/throttle.config';

export const RATE_LIMIT = 'rateLimit';

/** Puts a handler under the named limits (THROTTLE_<NAME>_PER_IP / _PER_ACCOUNT). */
export const RateLimit = (endpoint: RateLimitedEndpoint) => SetMetadata(RATE_LIMIT, endpoint);
