/**
 * The model behind the generated tool form: a JSON Schema (as tools/list gives it) becomes a tree of
 * fields, and the user's raw inputs become the arguments object. Pure, so it is tested without a DOM.
 * Remote schemas are untrusted: depth is capped and `$ref` is not followed (cycles cannot loop).
 */
export type JsonSchema = {
  type?: string | string[];
  description?: string;
  title?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
};

export type Field =
  | {
      kind: 'string';
      name: string;
      path: string;
      label: string;
      description?: string;
      required: boolean;
      minLength?: number;
      maxLength?: number;
    }
  | {
      kind: 'number';
      name: string;
      path: string;
      label: string;
      description?: string;
      required: boolean;
      integer: boolean;
      minimum?: number;
      maximum?: number;
    }
  | { kind: 'boolean'; name: string; path: string; label: string; description?: string; required: boolean }
  | {
      kind: 'enum';
      name: string;
      path: string;
      label: string;
      description?: string;
      required: boolean;
      options: string[];
    }
  | {
      kind: 'enum-array';
      name: string;
      path: string;
      label: string;
      description?: string;
      required: boolean;
      options: string[];
    }
  | {
      kind: 'list';
      name: string;
      path: string;
      label: string;
      description?: string;
      required: boolean;
      itemKind: 'string' | 'number' | 'integer';
    }
  | {
      kind: 'object';
      name: string;
      path: string;
      label: string;
      description?: string;
      required: boolean;
      fields: Field[];
    }
  | {
      kind: 'json';
      name: string;
      path: string;
      label: string;
      description?: string;
      required: boolean;
      reason: string;
    };

const MAX_DEPTH = 6;

function primaryType(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.enum) return 'enum';
  return undefined;
}

export function fieldsOf(schema: JsonSchema | undefined, prefix = '', depth = 0): Field[] {
  if (!schema || typeof schema !== 'object' || !schema.properties) return [];
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(schema.properties).map(([name, child]) =>
    fieldOf(name, child ?? {}, `${prefix}${prefix ? '.' : ''}${name}`, required.has(name), depth + 1),
  );
}

function fieldOf(name: string, schema: JsonSchema, path: string, required: boolean, depth: number): Field {
  const base = { name, path, label: schema.title ?? name, description: schema.description, required };
  if (depth > MAX_DEPTH) return { ...base, kind: 'json', reason: 'nested too deeply for a form' };
  if (schema.$ref) return { ...base, kind: 'json', reason: 'uses $ref' };
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) {
    return { ...base, kind: 'enum', options: schema.enum as string[] };
  }
  const type = primaryType(schema);
  switch (type) {
    case 'string':
      return { ...base, kind: 'string', minLength: schema.minLength, maxLength: schema.maxLength };
    case 'number':
    case 'integer':
      return {
        ...base,
        kind: 'number',
        integer: type === 'integer',
        minimum: schema.minimum,
        maximum: schema.maximum,
      };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'array': {
      const items = schema.items ?? {};
      if (Array.isArray(items.enum) && items.enum.every((v) => typeof v === 'string')) {
        return { ...base, kind: 'enum-array', options: items.enum as string[] };
      }
      const itemType = primaryType(items);
      if (itemType === 'string' || itemType === 'number' || itemType === 'integer') {
        return { ...base, kind: 'list', itemKind: itemType };
      }
      return { ...base, kind: 'json', reason: 'an array of objects' };
    }
    case 'object':
      return { ...base, kind: 'object', fields: fieldsOf(schema, path, depth) };
    default:
      return { ...base, kind: 'json', reason: 'no simple type' };
  }
}

/** Raw form values, keyed by field path. Strings as typed, booleans for checkboxes, string[] for multi-selects. */
export type RawValues = Record<string, string | boolean | string[] | undefined>;

export class ArgumentError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** Builds the arguments object; empty optional fields are left out, so the server's defaults apply. */
export function buildArguments(fields: Field[], raw: RawValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = fieldValue(field, raw);
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

function fieldValue(field: Field, raw: RawValues): unknown {
  const v = raw[field.path];
  const empty = v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
  switch (field.kind) {
    case 'boolean':
      if (v === undefined) return field.required ? false : undefined;
      return v === true;
    case 'object': {
      const inner = buildArguments(field.fields, raw);
      if (Object.keys(inner).length === 0) return field.required ? inner : undefined;
      return inner;
    }
    default:
      if (empty) {
        if (field.required) throw new ArgumentError(field.path, `${field.label} is required.`);
        return undefined;
      }
  }
  switch (field.kind) {
    case 'string': {
      const s = String(v);
      if (field.minLength !== undefined && s.length < field.minLength) {
        throw new ArgumentError(field.path, `${field.label} needs at least ${field.minLength} characters.`);
      }
      if (field.maxLength !== undefined && s.length > field.maxLength) {
        throw new ArgumentError(field.path, `${field.label} allows at most ${field.maxLength} characters.`);
      }
      return s;
    }
    case 'enum':
      return String(v);
    case 'enum-array':
      return Array.isArray(v) ? v : [String(v)];
    case 'number':
      return toNumber(field, String(v));
    case 'list': {
      const items = String(v)
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean);
      if (field.itemKind === 'string') return items;
      return items.map((s) => toNumber({ ...field, integer: field.itemKind === 'integer' }, s));
    }
    case 'json':
      try {
        return JSON.parse(String(v));
      } catch {
        throw new ArgumentError(field.path, `${field.label} must be valid JSON.`);
      }
  }
}

function toNumber(
  field: { path: string; label: string; integer: boolean; minimum?: number; maximum?: number },
  s: string,
): number {
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n))
    throw new ArgumentError(field.path, `${field.label} must be a number.`);
  if (field.integer && !Number.isInteger(n))
    throw new ArgumentError(field.path, `${field.label} must be a whole number.`);
  if (field.minimum !== undefined && n < field.minimum) {
    throw new ArgumentError(field.path, `${field.label} must be at least ${field.minimum}.`);
  }
  if (field.maximum !== undefined && n > field.maximum) {
    throw new ArgumentError(field.path, `${field.label} must be at most ${field.maximum}.`);
  }
  return n;
}

/**
 * Raw values from the schema's `default`s, for forms that should start filled in (elicitation: clients
 * SHOULD pre-populate fields with their defaults). Only defaults a field can show are used.
 * @see MCP 2025-11-25 §Elicitation (Requested Schema: default values)
 */
export function defaultValues(fields: Field[], schema: JsonSchema | undefined): RawValues {
  const out: RawValues = {};
  const walk = (list: Field[], at: JsonSchema | undefined) => {
    for (const field of list) {
      const child = at?.properties?.[field.name];
      const value = child?.default;
      if (field.kind === 'object') walk(field.fields, child);
      else if (field.kind === 'boolean' && typeof value === 'boolean') out[field.path] = value;
      else if (field.kind === 'enum' && typeof value === 'string' && field.options.includes(value))
        out[field.path] = value;
      else if (field.kind === 'string' && typeof value === 'string') out[field.path] = value;
      else if (field.kind === 'number' && typeof value === 'number') out[field.path] = String(value);
      else if (field.kind === 'enum-array' && Array.isArray(value))
        out[field.path] = value.filter(
          (v): v is string => typeof v === 'string' && field.options.includes(v),
        );
    }
  };
  walk(fields, schema);
  return out;
}
