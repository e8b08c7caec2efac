import { createContext, ReactNode, useContext, useMemo } from 'react';
import { useAuth } from '../auth/auth';
import { ApiClients, createApiClients } from './client';

const ApiContext = createContext<ApiClients | null>(null);

/** The typed API clients, signed with the current user's token. */
export function ApiProvider({ children }: { children: ReactNode }) {
  const { accessToken } = useAuth();
  const clients = useMemo(() => createApiClients(accessToken), [accessToken]);
  return <ApiContext.Provider value={clients}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClients {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiProvider');
  return api;
}
