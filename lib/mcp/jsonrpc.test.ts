import { describe, expect, it } from 'vitest';
import { eventStreamData } from '../http/content-type';
import { isJsonRpc, jsonRpcErrorIn, jsonRpcMessageIn } from './jsonrpc';

const error = {
  jsonrpc: '2.0',
  id: 1,
  error: { code: -32022, message: 'Unsupported', data: { supported: ['x'] } },
};

describe('jsonRpcMessageIn / jsonRpcErrorIn: one reader for every body the inspector reads itself', () => {
  it('reads a JSON object, the first of a batch, and nothing from what is not an object', () => {
    expect(jsonRpcMessageIn(JSON.stringify(error), 'application/json')).toEqual(error);
    expect(jsonRpcMessageIn(JSON.stringify([error, { id: 2 }]), 'application/json')).toEqual(error);
    for (const body of ['', 'null', '42', '"text"', '[]', '[[1]]', '<html>', '{"cut": ']) {
      expect(jsonRpcMessageIn(body, 'application/json'), body).toBeUndefined();
    }
  });

  it('reads the first event with a message from an event stream, by content type or by its framing, data lines joined', () => {
    const split = `event: message\nid: 7\ndata: {"jsonrpc":"2.0","id":1,\ndata: "error":{"code":-32022,"message":"Unsupported"}}\n\n`;
    expect(jsonRpcErrorIn(split, 'text/event-stream')).toEqual({
      code: -32022,
      message: 'Unsupported',
      data: undefined,
    });
    // Mislabelled: the framing says it is a stream.
    expect(jsonRpcErrorIn(split, 'text/plain')).toMatchObject({ code: -32022 });
    const pingFirst = `: keep-alive\n\ndata: not json\n\ndata: ${JSON.stringify(error)}\r\n\r\n`;
    expect(jsonRpcMessageIn(pingFirst, 'text/event-stream; charset=utf-8')).toEqual(error);
  });

  it('an error member that is not an object is no error; jsonrpc is checked apart', () => {
    expect(jsonRpcErrorIn('{"jsonrpc":"2.0","id":1,"error":"boom"}', 'application/json')).toBeUndefined();
    expect(jsonRpcErrorIn('{"jsonrpc":"2.0","id":1,"result":{}}', 'application/json')).toBeUndefined();
    const noVersion = jsonRpcMessageIn('{"id":1,"error":{"code":-32600}}', 'application/json');
    expect(jsonRpcErrorIn('{"id":1,"error":{"code":-32600}}', null)).toMatchObject({ code: -32600 });
    expect(isJsonRpc(noVersion)).toBe(false);
    expect(isJsonRpc(error)).toBe(true);
  });
});

describe('eventStreamData', () => {
  it('joins an event’s data lines, drops one leading space, skips events without data', () => {
    expect(eventStreamData('data:a\ndata:  b\n\nevent: x\n\ndata: c')).toEqual(['a\n b', 'c']);
  });
});
