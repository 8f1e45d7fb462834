import { createStore } from 'zustand/vanilla';
import type { FlowView, ToolCallView } from '../flow';
import type { StepId } from '../flow/types';

export type WalkthroughMode = 'guided' | 'run-all';

export interface Snapshot {
  view: FlowView | null;
  mode: WalkthroughMode;
}

interface FlowSlice {
  view: FlowView | null;
  mode: WalkthroughMode;
  /** What the inspector is doing right now, for the busy indicator; null when idle. */
  busy: string | null;
  /** An operation that failed before the flow could record anything (bad URL, server error). */
  actionError: string | null;
  applySnapshot: (snapshot: Snapshot) => void;
  setBusy: (busy: string | null) => void;
  setActionError: (message: string | null) => void;
  setMode: (mode: WalkthroughMode) => void;
}

interface UiSlice {
  /** The step whose detail is open; null follows the flow (the current or last step). */
  selectedStep: StepId | null;
  selectStep: (step: StepId | null) => void;
}

export interface ToolRun {
  running: boolean;
  result?: ToolCallView;
  error?: string;
}

interface ToolsSlice {
  toolRuns: Record<string, ToolRun>;
  setToolRun: (name: string, run: ToolRun) => void;
  clearToolRuns: () => void;
}

export type InspectorState = FlowSlice & UiSlice & ToolsSlice;

/** One store per provider instance (never a module singleton: server renders must not share state). */
export function createInspectorStore(initial: Snapshot) {
  return createStore<InspectorState>()((set) => ({
    view: initial.view,
    mode: initial.mode,
    busy: null,
    actionError: null,
    applySnapshot: (snapshot) => set({ view: snapshot.view, mode: snapshot.mode, actionError: null }),
    setBusy: (busy) => set({ busy }),
    setActionError: (actionError) => set({ actionError }),
    setMode: (mode) => set({ mode }),

    selectedStep: null,
    selectStep: (selectedStep) => set({ selectedStep }),

    toolRuns: {},
    setToolRun: (name, run) => set((s) => ({ toolRuns: { ...s.toolRuns, [name]: run } })),
    clearToolRuns: () => set({ toolRuns: {} }),
  }));
}

export type InspectorStore = ReturnType<typeof createInspectorStore>;
