'use client';

import type { ToolView } from '@/lib/flow/view';
import type { ExcludedTool } from '@/lib/mcp/client';
import { InputRequestForm } from './input-request-form';
import { useInspector } from './inspector-provider';
import { SchemaForm } from './schema-form';
import { ToolResult } from './tool-result';
import { useInspectorActions } from './use-inspector-actions';

/** Every tool the server lists. Read-only ones get a form and a Run button; the rest say why not. */
export function ToolsPanel() {
  const tools = useInspector((s) => s.view?.tools);
  const excluded = useInspector((s) => s.view?.excludedTools) ?? [];
  const connected = useInspector((s) => s.view?.step === 'connected' && s.report === null);
  if (!tools || (tools.length === 0 && excluded.length === 0)) return null;
  const runnable = tools.filter((t) => t.readOnly).length;

  return (
    <section aria-labelledby="tools-heading" className="rounded-lg border border-line bg-panel p-4">
      <h2 id="tools-heading" className="font-semibold">
        Tools{' '}
        <span className="font-normal text-muted">
          ({tools.length + excluded.length} listed, {runnable} read-only
          {excluded.length ? `, ${excluded.length} excluded` : ''})
        </span>
      </h2>
      <ul className="mt-3 flex flex-col gap-3">
        {tools.map((tool) => (
          <li key={tool.name}>
            <ToolCard tool={tool} connected={connected} />
          </li>
        ))}
        {excluded.map((tool) => (
          <li key={`excluded ${tool.name}`}>
            <ExcludedToolCard tool={tool} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A tool the server listed that clients must drop (SEP-2243): shown with the reason, never runnable. */
function ExcludedToolCard({ tool }: { tool: ExcludedTool }) {
  return (
    <article aria-label={`Tool ${tool.name}`} className="rounded-md border border-dashed border-line p-3">
      <header className="flex flex-wrap items-center gap-2">
        <h3 className="font-mono text-sm font-semibold text-muted">{tool.name}</h3>
        <span className="rounded-full border border-warn/50 px-2 py-0.5 text-xs text-warn">
          Excluded (invalid x-mcp-header)
        </span>
      </header>
      <p className="mt-2 text-sm">
        Not offered: {tool.reason}. Clients must leave such a tool out of the list, because its arguments
        cannot be mirrored into Mcp-Param headers (SEP-2243); the inspector never calls it.
      </p>
    </article>
  );
}

function ToolCard({ tool, connected }: { tool: ToolView; connected: boolean }) {
  const run = useInspector((s) => s.toolRuns[tool.name]);
  // The call repeated after signing in again (reconnect, step-up) comes from the server.
  const resumed = useInspector((s) => (s.view?.resumed?.tool === tool.name ? s.view.resumed : undefined));
  const result = run?.result ?? (run ? undefined : resumed);
  const actions = useInspectorActions();
  return (
    <article aria-label={`Tool ${tool.name}`} className="rounded-md border border-line p-3">
      <header className="flex flex-wrap items-center gap-2">
        <h3 className="font-mono text-sm font-semibold">{tool.name}</h3>
        {tool.title && tool.title !== tool.name ? (
          <span className="text-sm text-muted">{tool.title}</span>
        ) : null}
        <span
          className={`rounded-full border px-2 py-0.5 text-xs ${tool.readOnly ? 'border-pass/50 text-pass' : 'border-warn/50 text-warn'}`}
        >
          {tool.readOnly ? 'Read-only' : 'Not read-only'}
        </span>
      </header>
      {tool.description ? <p className="mt-1 whitespace-pre-wrap text-sm">{tool.description}</p> : null}
      {tool.readOnly ? (
        <div className="mt-3 grid gap-4 lg:grid-cols-2">
          <SchemaForm
            schema={tool.inputSchema}
            submitLabel={`Run ${tool.name}`}
            disabled={!connected || run?.running === true}
            onSubmit={(args) => void actions.runTool(tool.name, args)}
          />
          <div aria-live="polite">
            {run?.running ? <p className="text-sm text-muted">Running…</p> : null}
            {run?.error ? (
              <p role="alert" className="text-sm text-fail">
                {run.error}
              </p>
            ) : null}
            {result?.inputRequired ? (
              <InputRequestForm
                tool={tool.name}
                round={result.inputRequired.round}
                requests={result.inputRequired.requests}
                disabled={!connected || run?.running === true}
                onAnswer={(answers) => void actions.answerInput(tool.name, answers)}
              />
            ) : result ? (
              <ToolResult result={result} />
            ) : null}
          </div>
        </div>
      ) : (
        <p className="mt-2 text-sm text-warn">
          Not run: {tool.refusal ?? 'this tool is not annotated readOnlyHint: true, so it might change data.'}
        </p>
      )}
    </article>
  );
}
