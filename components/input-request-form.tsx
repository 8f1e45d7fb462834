'use client';

import { useId, useState } from 'react';
import type { InputAnswer, InputRequestView } from '@/lib/mcp/input-required';
import { SchemaForm } from './schema-form';

/**
 * What a tool asked for before it answers (an input-required result, MCP 2026-07-28): a form per
 * elicitation, a reply box per sampling request (the inspector has no model), and the requests it
 * answers itself (roots: none). The call is repeated once every question has an answer, or declined.
 */
export function InputRequestForm({
  tool,
  round,
  requests,
  disabled,
  onAnswer,
}: {
  tool: string;
  round: number;
  requests: InputRequestView[];
  disabled: boolean;
  onAnswer: (answers: Record<string, InputAnswer> | 'decline') => void;
}) {
  const headingId = useId();
  const [answers, setAnswers] = useState<Record<string, InputAnswer>>({});
  const asked = requests.filter((r) => r.kind === 'elicitation' || r.kind === 'sampling');
  const answer = (key: string, value: InputAnswer) => {
    const next = { ...answers, [key]: value };
    setAnswers(next);
    if (asked.every((r) => next[r.key])) onAnswer(next);
  };

  return (
    <section
      aria-labelledby={headingId}
      className="flex flex-col gap-3 rounded-md border border-accent/50 p-3"
    >
      <h4 id={headingId} className="text-sm font-semibold">
        {tool} asks for input before it answers{round > 1 ? ` (round ${round})` : ''}
      </h4>
      <p className="text-xs text-muted">
        The server returned an input-required result. Your answers are sent with the same call, together with
        the server’s request state, unchanged.
      </p>
      {requests.map((r) => (
        <div key={r.key} className="flex flex-col gap-2">
          <p className="text-sm">
            <span className="font-mono text-xs text-muted">{r.method}</span>
            {r.message ? <span className="ml-2">“{r.message}”</span> : null}
          </p>
          {r.note ? <p className="text-xs text-muted">{r.note}</p> : null}
          {r.kind === 'elicitation' ? (
            answers[r.key] ? (
              <p className="text-sm text-pass">Answered.</p>
            ) : (
              <SchemaForm
                schema={r.schema}
                submitLabel={`Answer ${r.key}`}
                disabled={disabled}
                prefillDefaults
                onSubmit={(content) => answer(r.key, { action: 'accept', content })}
              />
            )
          ) : r.kind === 'sampling' ? (
            <SamplingReply
              name={r.key}
              disabled={disabled || Boolean(answers[r.key])}
              onSend={(text) => answer(r.key, { action: 'accept', text })}
            />
          ) : null}
        </div>
      ))}
      <div>
        <button
          type="button"
          disabled={disabled}
          onClick={() => onAnswer('decline')}
          className="rounded-md border border-line px-3 py-1 text-sm disabled:opacity-60"
        >
          Decline {asked.length > 1 ? 'all' : ''}
        </button>
      </div>
    </section>
  );
}

function SamplingReply({
  name,
  disabled,
  onSend,
}: {
  name: string;
  disabled: boolean;
  onSend: (text: string) => void;
}) {
  const id = useId();
  const [text, setText] = useState('');
  return (
    <form
      className="flex flex-col gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        onSend(text);
      }}
    >
      <label htmlFor={id} className="text-sm">
        Your reply for {name}
      </label>
      <textarea
        id={id}
        value={text}
        onChange={(e) => setText(e.target.value)}
        className="min-h-16 w-full rounded-md border border-line bg-panel px-2 py-1.5 font-mono text-sm"
      />
      <div>
        <button
          type="submit"
          disabled={disabled}
          className="rounded-md bg-accent px-3 py-1 text-sm font-semibold text-accent-fg disabled:opacity-60"
        >
          Send reply
        </button>
      </div>
    </form>
  );
}
