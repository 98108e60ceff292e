import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'isPublic';

/** Opens a route: every route is behind the session guard unless it says otherwise. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
