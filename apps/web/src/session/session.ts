import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, ApiError, unwrap } from '../api/client.ts';
import { earlyOr } from '../api/early-answers.ts';
import type { Me } from '../api/types.ts';

/** Who is signed in (by the HttpOnly session cookie the page cannot read): null when nobody is. */
export const meQuery = queryOptions({
  queryKey: ['me'],
  retry: false,
  queryFn: async (): Promise<Me | null> => {
    try {
      // The first read takes public/boot.js's early request.
      return await unwrap<Me>(earlyOr('/api/v1/auth/me', () => api.GET('/api/v1/auth/me')));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    }
  },
});

export function useMe() {
  return useQuery(meQuery);
}
