'use client';

import { createContext, type ReactNode, useContext, useState } from 'react';
import { useStore } from 'zustand';
import {
  createInspectorStore,
  type InspectorState,
  type InspectorStore,
  type Snapshot,
} from '@/lib/store/inspector-store';

const StoreContext = createContext<InspectorStore | null>(null);

export function InspectorProvider({ initial, children }: { initial: Snapshot; children: ReactNode }) {
  const [store] = useState(() => createInspectorStore(initial));
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

/** The store itself, for code that reads its state at the moment it runs (an action's answer arriving). */
export function useInspectorStore(): InspectorStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('The inspector store is used outside <InspectorProvider>.');
  return store;
}

/** Narrow selectors only: components re-render when what they read changes. */
export function useInspector<T>(selector: (state: InspectorState) => T): T {
  return useStore(useInspectorStore(), selector);
}
