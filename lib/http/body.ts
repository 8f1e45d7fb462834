import { isTextual, mediaType } from './content-type';
import type { Redactor } from './redact';

/** Joins chunks into one buffer of known size. */
function concat(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Resolves or rejects with the promise, or rejects with the signal's reason as soon as it aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Reads a whole body while counting bytes. Past `maxBytes` it cancels the stream, so the rest is
 * never downloaded, and throws what `tooLarge` builds. Each read also races `signal`, so a body
 * that trickles in cannot outlive the request's time limit even if the source ignores the signal.
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  signal: AbortSignal,
  tooLarge: (received: number) => Error,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await raceAbort(reader.read(), signal);
      if (done) return concat(chunks, size);
      size += value.byteLength;
      if (size > maxBytes) throw tooLarge(size);
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel(error).catch(() => {});
    throw error;
  }
}

export interface StreamRecord {
  /** The first bytes of the stream, at most the capture cap. */
  captured: Uint8Array;
  /** Bytes passed to the caller when the record was made. */
  size: number;
  /** The cap was reached; the stream went on without being copied. */
  truncated: boolean;
  /** The stream failed (not: the caller cancelled it). */
  error?: unknown;
}

/**
 * Passes an event stream through to the caller while copying its first `capBytes` bytes, and calls
 * `onRecord` exactly once: at the end of the stream, when the caller cancels, on error, or as soon
 * as the cap is reached. Reads happen only when the caller reads (high-water mark 0), so an
 * endless stream nobody reads costs nothing, and after the cap nothing more is kept. A `tee()` would
 * not do: its second branch would keep the connection open after the caller cancelled. With `limit`,
 * a stream that goes on past `maxBytes` fails (a streamed answer is bounded like a buffered one).
 */
export function recordingStream(
  source: ReadableStream<Uint8Array>,
  capBytes: number,
  onRecord: (record: StreamRecord) => void,
  /** Past this many bytes the stream fails with what `tooLarge` builds and the source is cancelled. */
  limit?: { maxBytes: number; tooLarge: (received: number) => Error },
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let chunks: Uint8Array[] = [];
  let captured = 0;
  let size = 0;
  let recorded = false;
  const finish = (truncated: boolean, error?: unknown) => {
    if (recorded) return;
    recorded = true;
    onRecord({ captured: concat(chunks, captured), size, truncated, error });
    chunks = [];
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (done) {
            finish(false);
            controller.close();
            return;
          }
          size += value.byteLength;
          if (limit && size > limit.maxBytes) {
            const error = limit.tooLarge(size);
            finish(true, error);
            controller.error(error);
            reader.cancel(error).catch(() => {});
            return;
          }
          if (!recorded) {
            const room = capBytes - captured;
            // slice, not subarray: a view would keep the whole chunk alive.
            const kept = value.byteLength <= room ? value : value.slice(0, room);
            chunks.push(kept);
            captured += kept.byteLength;
            if (value.byteLength > room) finish(true);
          }
          controller.enqueue(value);
        } catch (error) {
          finish(false, error);
          controller.error(error);
        }
      },
      cancel(reason) {
        finish(false);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** UTF-8 text of a body, or undefined when it is binary (declared so, or not valid UTF-8). */
function decodeText(bytes: Uint8Array, contentType: string | null): string | undefined {
  if (isTextual(contentType)) return new TextDecoder().decode(bytes);
  if (mediaType(contentType)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Cuts text to `maxChars` without splitting a surrogate pair. */
export function capText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  const end = /[\uD800-\uDBFF]/.test(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return { text: text.slice(0, end), truncated: true };
}

/**
 * The recorded form of a body: decoded, redacted (JSON pretty-printed), then capped for display.
 * Redaction comes before the cap because a cut JSON document no longer parses, and its
 * credential keys would escape structural redaction.
 */
export function displayBody(
  bytes: Uint8Array,
  contentType: string | null,
  redactor: Redactor,
  maxChars: number,
): { body?: string; truncated: boolean } {
  if (bytes.byteLength === 0) return { truncated: false };
  const text = decodeText(bytes, contentType);
  if (text === undefined) return { body: `[binary ${bytes.byteLength} bytes]`, truncated: false };
  const capped = capText(redactor.body(text, contentType), maxChars);
  return { body: capped.text, truncated: capped.truncated };
}
