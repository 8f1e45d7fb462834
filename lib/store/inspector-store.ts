import { createStore } from 'zustand/vanilla';
import type { InspectorSnapshot, WalkthroughMode } from '../contract';
import type { HeldView } from '../contract/view-update';
import type { ToolCallView } from '../flow/tool-call';
import type { StepId } from '../flow/types';
import type { FlowView, ShownView } from '../flow/view';

export type { WalkthroughMode };

/** What the page is rendered with: the live view (never a secret), its fingerprints and the mode. */
export type Snapshot = InspectorSnapshot;

interface FlowSlice {
  /** What the page shows: the live view, or an open report's. */
  view: ShownView | null;
  /**
   * The live walkthrough with the fingerprints of its parts, kept while a report is open: every action
   * sends them and merges its answer into this (lib/contract/view-update).
   */
  live: HeldView;
  mode: WalkthroughMode;
  /** What the inspector is doing right now, for the busy indicator; null when idle. */
  busy: string | null;
  /** An operation that failed before the flow could record anything (bad URL, server error). */
  actionError: string | null;
  /** The live view after an action's answer was merged (see useAnswers in components/use-start-actions). */
  applyLive: (live: HeldView, mode: WalkthroughMode) => void;
  setBusy: (busy: string | null) => void;
  setActionError: (message: string | null) => void;
  setMode: (mode: WalkthroughMode) => void;
}

/** A report file opened for reading: the view comes from it and nothing can be run. */
export interface OpenReport {
  exportedAt: string;
  fileName: string;
}

interface ReportSlice {
  report: OpenReport | null;
  openReport: (view: FlowView, meta: { exportedAt: string; fileName: string }) => void;
  closeReport: () => void;
}

/** The views of one walkthrough, in the order the view switcher shows them. */
export const VIEW_IDS = ['walkthrough', 'sequence', 'timeline', 'tools', 'token', 'audit'] as const;
export type ViewId = (typeof VIEW_IDS)[number];

interface UiSlice {
  /** The step whose detail is open; null follows the flow (the current or last step). */
  selectedStep: StepId | null;
  /** Selecting a step (or null: following the flow) shows the walkthrough. */
  selectStep: (step: StepId | null) => void;
  /** The view the user chose; null follows the flow (the walkthrough, then the tools once connected). */
  activeView: ViewId | null;
  showView: (view: ViewId | null) => void;
  /** An exchange to open in the step detail (from the sequence diagram or the timeline). */
  openExchangeId: string | null;
  openExchange: (step: StepId, exchangeId: string) => void;
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

export type InspectorState = FlowSlice & UiSlice & ToolsSlice & ReportSlice;

/** One store per provider instance (never a module singleton: server renders must not share state). */
export function createInspectorStore(initial: Snapshot) {
  return createStore<InspectorState>()((set) => ({
    view: initial.view,
    live: { view: initial.view, held: initial.held, rev: initial.rev },
    mode: initial.mode,
    busy: null,
    actionError: null,
    // Anything the server answers is live: it closes an open report.
    applyLive: (live, mode) => set({ live, view: live.view, mode, actionError: null, report: null }),
    setBusy: (busy) => set({ busy }),
    setActionError: (actionError) => set({ actionError }),
    setMode: (mode) => set({ mode }),

    selectedStep: null,
    selectStep: (selectedStep) =>
      set({ selectedStep, openExchangeId: null, activeView: selectedStep ? 'walkthrough' : null }),
    activeView: null,
    showView: (activeView) => set({ activeView }),
    openExchangeId: null,
    openExchange: (selectedStep, openExchangeId) =>
      set({ selectedStep, openExchangeId, activeView: 'walkthrough' }),

    report: null,
    openReport: (view, meta) =>
      set({
        report: meta,
        view,
        selectedStep: null,
        activeView: null,
        openExchangeId: null,
        toolRuns: {},
      }),
    closeReport: () =>
      set((s) =>
        s.report
          ? {
              view: s.live.view,
              report: null,
              selectedStep: null,
              activeView: null,
              openExchangeId: null,
            }
          : {},
      ),

    toolRuns: {},
    setToolRun: (name, run) => set((s) => ({ toolRuns: { ...s.toolRuns, [name]: run } })),
    clearToolRuns: () => set({ toolRuns: {} }),
  }));
}

export type InspectorStore = ReturnType<typeof createInspectorStore>;
