/** The signed-in user, from `/api/auth/me`; `can(permission)` drives what is offered. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext } from 'react';
import { api, ApiError } from './api';

export interface Me {
  id: string;
  name: string;
  email: string;
  role: 'admin' | 'campaign_manager' | 'viewer';
  permissions: string[];
}

interface Session {
  me: Me;
  can(permission: string): boolean;
  signOut(): Promise<void>;
}

const Ctx = createContext<Session | null>(null);

export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return await api<Me>('GET', '/api/auth/me');
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
}

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const qc = useQueryClient();
  const value: Session = {
    me,
    can: (p) => me.permissions.includes(p),
    async signOut() {
      await api('POST', '/api/auth/logout').catch(() => undefined);
      qc.clear();
      window.location.assign('/');
    },
  };
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
