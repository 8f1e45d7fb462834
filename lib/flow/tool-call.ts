import type { InputRequestView } from '../mcp/input-required';
import type { ToolContent } from '../mcp/tools';
import type { FlowErrorInfo } from './types';

/** One tool call's outcome as the browser shows it. */
export interface ToolCallView {
  tool: string;
  isError: boolean;
  content: ToolContent[];
  structuredContent?: unknown;
  durationMs: number;
  /** True when the inspector refused to send the call (not read-only, unknown tool, bad arguments). */
  refused?: boolean;
  /** Why the call failed or was refused. */
  error?: FlowErrorInfo;
  /** The server asked for input before it answers (2026-07-28 input-required result). */
  inputRequired?: { requests: InputRequestView[]; round: number };
}
