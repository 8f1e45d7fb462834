'use client';

import { type FormEvent, useId, useMemo, useState } from 'react';
import {
  ArgumentError,
  buildArguments,
  defaultValues,
  type Field,
  fieldsOf,
  type JsonSchema,
  type RawValues,
} from './schema-form-model';

const input = 'w-full rounded-md border border-line bg-panel px-2 py-1.5 text-sm font-mono';

/** A form generated from a tool's input schema. Submits the arguments object. */
export function SchemaForm({
  schema,
  submitLabel,
  disabled,
  onSubmit,
  prefillDefaults = false,
}: {
  schema: unknown;
  submitLabel: string;
  disabled: boolean;
  onSubmit: (args: Record<string, unknown>) => void;
  /** Start with the schema's defaults filled in (elicitation forms); tool forms leave them to the server. */
  prefillDefaults?: boolean;
}) {
  const fields = useMemo(() => fieldsOf(schema as JsonSchema), [schema]);
  const [raw, setRaw] = useState<RawValues>(() =>
    prefillDefaults ? defaultValues(fields, schema as JsonSchema) : {},
  );
  const [error, setError] = useState<ArgumentError | null>(null);
  const set = (path: string, value: RawValues[string]) => setRaw((r) => ({ ...r, [path]: value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const args = buildArguments(fields, raw);
      setError(null);
      onSubmit(args);
    } catch (e) {
      if (e instanceof ArgumentError) setError(e);
      else throw e;
    }
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-3">
      {fields.length === 0 ? <p className="text-sm text-muted">This tool takes no arguments.</p> : null}
      {fields.map((f) => (
        <FieldInput key={f.path} field={f} raw={raw} set={set} error={error} />
      ))}
      {error ? (
        <p role="alert" className="text-sm text-fail">
          {error.message}
        </p>
      ) : null}
      <div>
        <button
          type="submit"
          disabled={disabled}
          className="rounded-md bg-accent px-4 py-1.5 text-sm font-semibold text-accent-fg disabled:opacity-60"
        >
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

function FieldInput({
  field,
  raw,
  set,
  error,
}: {
  field: Field;
  raw: RawValues;
  set: (path: string, value: RawValues[string]) => void;
  error: ArgumentError | null;
}) {
  const id = useId();
  const invalid = error?.path === field.path;
  const describedBy = field.description ? `${id}-desc` : undefined;
  const label = (
    <span className="text-sm font-medium">
      {field.label}
      {field.required ? (
        <span className="text-fail"> *</span>
      ) : (
        <span className="font-normal text-muted"> (optional)</span>
      )}
    </span>
  );
  const description = field.description ? (
    <span id={`${id}-desc`} className="text-xs text-muted">
      {field.description}
    </span>
  ) : null;

  if (field.kind === 'object') {
    return (
      <fieldset className="rounded-md border border-line p-3">
        <legend className="px-1 text-sm font-medium">
          {field.label}
          {field.required ? '' : ' (optional)'}
        </legend>
        {description}
        <div className="mt-2 flex flex-col gap-3">
          {field.fields.map((f) => (
            <FieldInput key={f.path} field={f} raw={raw} set={set} error={error} />
          ))}
        </div>
      </fieldset>
    );
  }
  if (field.kind === 'boolean') {
    return (
      <div className="flex flex-col gap-0.5">
        <label className="inline-flex items-center gap-2">
          <input
            type="checkbox"
            checked={raw[field.path] === true}
            aria-describedby={describedBy}
            onChange={(e) => set(field.path, e.target.checked)}
          />
          {label}
        </label>
        {description}
      </div>
    );
  }
  if (field.kind === 'enum-array') {
    const selected = (raw[field.path] as string[] | undefined) ?? [];
    return (
      <fieldset className="flex flex-col gap-1">
        <legend>{label}</legend>
        {description}
        <div className="flex flex-wrap gap-3">
          {field.options.map((o) => (
            <label key={o} className="inline-flex items-center gap-1.5 text-sm">
              <input
                type="checkbox"
                checked={selected.includes(o)}
                onChange={(e) =>
                  set(field.path, e.target.checked ? [...selected, o] : selected.filter((s) => s !== o))
                }
              />
              <span className="font-mono">{o}</span>
            </label>
          ))}
        </div>
      </fieldset>
    );
  }
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id}>{label}</label>
      {description}
      {field.kind === 'enum' ? (
        <select
          id={id}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          value={(raw[field.path] as string | undefined) ?? ''}
          onChange={(e) => set(field.path, e.target.value)}
          className={input}
        >
          <option value="">{field.required ? 'Choose…' : '(server default)'}</option>
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : field.kind === 'json' || field.kind === 'list' ? (
        <textarea
          id={id}
          rows={field.kind === 'json' ? 4 : 2}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          placeholder={field.kind === 'json' ? `JSON (${field.reason})` : 'One per line, or comma-separated'}
          value={(raw[field.path] as string | undefined) ?? ''}
          onChange={(e) => set(field.path, e.target.value)}
          className={input}
        />
      ) : (
        <input
          id={id}
          type={field.kind === 'number' ? 'number' : 'text'}
          step={field.kind === 'number' ? (field.integer ? 1 : 'any') : undefined}
          min={field.kind === 'number' ? field.minimum : undefined}
          max={field.kind === 'number' ? field.maximum : undefined}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          value={(raw[field.path] as string | undefined) ?? ''}
          onChange={(e) => set(field.path, e.target.value)}
          className={input}
        />
      )}
    </div>
  );
}
