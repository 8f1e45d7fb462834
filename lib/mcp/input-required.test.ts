import { describe, expect, it } from 'vitest';
import { inputResponsesFor, viewInputRequests } from './input-required';

const requests = viewInputRequests({
  unit: {
    method: 'elicitation/create',
    params: {
      mode: 'form',
      message: 'Which unit?',
      requestedSchema: {
        type: 'object',
        properties: { unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      },
    },
  },
  capital: {
    method: 'sampling/createMessage',
    params: {
      messages: [{ role: 'user', content: { type: 'text', text: 'Capital of France?' } }],
      maxTokens: 10,
    },
  },
  roots: { method: 'roots/list', params: {} },
  login: { method: 'elicitation/create', params: { mode: 'url', message: 'Sign in', url: 'https://x' } },
});

describe('viewInputRequests()', () => {
  it('shows each request as something a person can answer', () => {
    expect(requests.map((r) => [r.key, r.kind])).toEqual([
      ['unit', 'elicitation'],
      ['capital', 'sampling'],
      ['roots', 'roots'],
      ['login', 'unsupported'],
    ]);
    expect(requests[0]).toMatchObject({
      message: 'Which unit?',
      schema: { properties: { unit: { enum: ['celsius', 'fahrenheit'] } } },
    });
    expect(requests[1]?.message).toBe('Capital of France?');
    expect(requests[1]?.note).toMatch(/no model/);
  });

  it('lists nothing for a malformed inputRequests', () => {
    expect(viewInputRequests(null)).toEqual([]);
    expect(viewInputRequests(['x'])).toEqual([]);
  });
});

describe('inputResponsesFor()', () => {
  it('sends the answers under the server’s keys; roots answered with none', () => {
    expect(
      inputResponsesFor(requests, {
        unit: { action: 'accept', content: { unit: 'celsius' } },
        capital: { action: 'accept', text: 'Paris' },
      }),
    ).toEqual({
      unit: { action: 'accept', content: { unit: 'celsius' } },
      capital: expect.objectContaining({ role: 'assistant', content: { type: 'text', text: 'Paris' } }),
      roots: { roots: [] },
      login: { action: 'decline' },
    });
  });

  it('declines elicitation and leaves sampling out when there is no answer', () => {
    expect(inputResponsesFor(requests, undefined)).toEqual({
      unit: { action: 'decline' },
      roots: { roots: [] },
      login: { action: 'decline' },
    });
  });
});
