import { createContext, useContext } from 'react';
import type { Me } from '@users-sync/api/contract';
import type { ApiClient } from './api-client';

export interface TabContextValue {
  api: ApiClient;
  me: Me;
  /** Whether the tab runs inside Teams (links open differently there). */
  host: 'teams' | 'browser';
  /** Grows whenever a run starts, ends or is decided, so every screen showing runs reloads. */
  runsVersion: number;
  runsChanged: () => void;
}

export const TabContext = createContext<TabContextValue | null>(null);

export function useTab(): TabContextValue {
  const value = useContext(TabContext);
  if (!value) throw new Error('useTab() outside <TabContext.Provider>');
  return value;
}
