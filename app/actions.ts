'use server';

import { cookies } from 'next/headers';
import { type DemoAdminState, demoAdminState, flipDemoSwitch } from '@/lib/server/demo-admin';
import {
  type ActionResult,
  advanceWalkthrough,
  answerToolInput,
  chooseAuthorizationServer,
  currentAnswer,
  disconnectSession,
  reconnectSession,
  resetWalkthrough,
  runAudit,
  runTool,
  type StartInput,
  setMode,
  startWalkthrough,
  type ToolCallOutcome,
  testAuditAudience,
  testAuditRevocation,
} from '@/lib/server/inspector';
import type { WalkthroughMode } from '@/lib/server/session';

export async function startAction(input: StartInput): Promise<ActionResult> {
  return startWalkthrough(input);
}

// `holding`: the fingerprints of the view the page holds; the answer carries only what differs from it.

export async function nextStepAction(holding: unknown): Promise<ActionResult> {
  return advanceWalkthrough('step', holding);
}

export async function runAllAction(holding: unknown): Promise<ActionResult> {
  return advanceWalkthrough('all', holding);
}

export async function chooseAuthorizationServerAction(
  index: number,
  holding: unknown,
): Promise<ActionResult> {
  if (typeof index !== 'number') return { ok: false, error: 'Choose an authorization server from the list.' };
  return chooseAuthorizationServer(index, holding);
}

export async function setModeAction(mode: WalkthroughMode, holding: unknown): Promise<ActionResult> {
  return setMode(mode === 'guided' ? 'guided' : 'run-all', holding);
}

export async function resetAction(holding: unknown): Promise<ActionResult> {
  return resetWalkthrough(holding);
}

/** The view as it is now, against what the page holds (the page asks when an answer did not fit). */
export async function viewAction(holding: unknown): Promise<ActionResult> {
  return currentAnswer(holding);
}

/** Largest tool arguments or input answers accepted, as JSON. */
const MAX_ARGUMENT_BYTES = 64 * 1024;

/** Undefined when `value` fits, else the sentence saying what was too large and the limit. */
function tooLarge(what: string, value: unknown): string | undefined {
  let size: number;
  try {
    size = new TextEncoder().encode(JSON.stringify(value) ?? '').byteLength;
  } catch {
    return `${what} could not be read as JSON.`;
  }
  if (size <= MAX_ARGUMENT_BYTES) return undefined;
  return `${what} are ${Math.ceil(size / 1024).toLocaleString('en-US')} KB; the inspector sends at most ${MAX_ARGUMENT_BYTES / 1024} KB. Shorten them and run it again.`;
}

export async function runToolAction(
  name: string,
  args: unknown,
  holding: unknown,
): Promise<ActionResult<ToolCallOutcome>> {
  if (typeof name !== 'string' || name.length > 200) {
    return {
      ok: false,
      error: 'That is not a tool name this server listed (names are at most 200 characters).',
    };
  }
  const problem = tooLarge('The tool arguments', args);
  if (problem) return { ok: false, error: problem };
  return runTool(name, args, holding);
}

export async function answerToolInputAction(
  answers: unknown,
  holding: unknown,
): Promise<ActionResult<ToolCallOutcome>> {
  const problem = tooLarge('The answers', answers);
  if (problem) return { ok: false, error: problem };
  return answerToolInput(answers, holding);
}

export async function reconnectAction(holding: unknown): Promise<ActionResult> {
  return reconnectSession(holding);
}

export async function disconnectAction(holding: unknown): Promise<ActionResult> {
  return disconnectSession(holding);
}

export async function runAuditAction(holding: unknown): Promise<ActionResult> {
  return runAudit(holding);
}

export async function testAudienceAction(holding: unknown): Promise<ActionResult> {
  return testAuditAudience(holding);
}

export async function testRevocationAction(confirmed: boolean, holding: unknown): Promise<ActionResult> {
  return testAuditRevocation(confirmed === true, holding);
}

/** Flips one bundled-demo switch from the server (the browser never calls the demo's admin API). */
export async function demoSwitchAction(input: unknown): Promise<ActionResult<DemoAdminState>> {
  try {
    return { ok: true, value: await flipDemoSwitch(input) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : 'The demo switch failed.' };
  }
}

export async function demoStateAction(): Promise<ActionResult<DemoAdminState>> {
  try {
    return { ok: true, value: await demoAdminState() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : 'The demo did not answer.' };
  }
}

export async function setThemeAction(theme: 'light' | 'dark' | 'system'): Promise<void> {
  const store = await cookies();
  if (theme === 'system') store.delete('inspector_theme');
  else
    store.set('inspector_theme', theme === 'dark' ? 'dark' : 'light', {
      path: '/',
      sameSite: 'lax',
      httpOnly: true,
    });
}
