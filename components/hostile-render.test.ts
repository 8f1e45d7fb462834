/**
 * Remote strings stay text: the engine connects to a loopback server whose tool names, descriptions,
 * schemas, results, errors and metadata carry markup, and the components that show them are
 * rendered with react-dom/server. Nothing executable may come out: no <script>, no event-handler
 * attributes, no iframes, no javascript: links.
 */
import { createElement, type ReactElement } from 'react';
import { renderToString } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callTool, type FlowContext, toView } from '@/lib/flow';
import {
  answer,
  connected,
  connectTo,
  type HostileWorld,
  startHostileWorld,
} from '@/lib/flow/testing/hostile-world';
import { collapseView } from '@/lib/flow/view';
import { CheckList } from './check-list';
import { ErrorCallout } from './error-callout';
import { ExchangeList } from './exchange-list';
import { ExternalLink } from './external-link';
import { FactsView } from './facts-view';
import { InspectorProvider } from './inspector-provider';
import { ToolResult } from './tool-result';
import { ToolsPanel } from './tools-panel';

// The tools panel's buttons call server actions; rendering never does.
vi.mock('@/app/actions', () => ({}));

const SCRIPT = '<script>alert(document.cookie)</script>';
const IMG = '<img src=x onerror=alert(1)>';
const ctx: FlowContext = { policy: { mode: 'local' } };

let w: HostileWorld;
beforeAll(async () => {
  w = await startHostileWorld();
  w.mcp.set('tools/list', (m, res) =>
    answer(res, m, {
      tools: [
        {
          name: `notes${SCRIPT}`,
          title: IMG,
          description: `Reads notes. ${SCRIPT}<iframe src="https://evil.example"></iframe>`,
          inputSchema: {
            type: 'object',
            properties: { [`q${SCRIPT}`]: { type: 'string', title: IMG, description: SCRIPT } },
          },
          annotations: { readOnlyHint: true },
        },
        { name: `delete${IMG}`, description: SCRIPT, inputSchema: { type: 'object' } },
      ],
    }),
  );
  w.mcp.set('tools/call', (m, res) =>
    answer(res, m, {
      content: [
        { type: 'text', text: `${SCRIPT}${IMG}` },
        {
          type: 'image',
          mimeType: 'image/svg+xml',
          data: Buffer.from(`<svg onload="alert(1)">${SCRIPT}</svg>`).toString('base64'),
        },
        { type: 'resource_link', uri: 'javascript:alert(1)', name: SCRIPT },
      ],
      structuredContent: { html: SCRIPT },
    }),
  );
});
afterAll(() => w.close());

/** Markup that would run or load something if it reached the DOM unescaped. */
function expectInert(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<iframe/i);
  expect(html).not.toMatch(/<img[^>]*onerror/i);
  expect(html).not.toMatch(/<svg/i);
  expect(html).not.toMatch(/href="javascript:/i);
  expect(html).not.toMatch(/src="data:image\/svg/i);
}

const render = (element: ReactElement) => renderToString(element);

describe('remote strings render as inert text', () => {
  it('tool names, titles, descriptions and schema fields', async () => {
    const state = connected(await connectTo(w.evil, ctx));
    const view = toView(state);
    const html = render(
      createElement(InspectorProvider, {
        initial: { view: collapseView(view), held: {}, rev: '', mode: 'run-all' },
        // biome-ignore lint/correctness/noChildrenProp: no JSX in a .ts test; the provider's props require children
        children: createElement(ToolsPanel),
      }),
    );
    expectInert(html);
    expect(html).toContain('notes&lt;script&gt;alert(document.cookie)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('a tool result: text, an SVG image, a javascript: resource link, structured content', async () => {
    const state = connected(await connectTo(w.evil, ctx));
    const { result } = await callTool(state, ctx, `notes${SCRIPT}`, {});
    expect(result.isError).toBe(false);
    const html = render(createElement(ToolResult, { result }));
    expectInert(html);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('not displayed: only PNG');
  });

  it('exchanges, checks, facts and errors built from hostile answers', async () => {
    const state = connected(await connectTo(w.evil, ctx));
    const { state: after } = await callTool(state, ctx, `notes${SCRIPT}`, {});
    const tools = toView(after).steps.find((s) => s.id === 'tools')!;
    const exchanges = render(createElement(ExchangeList, { exchanges: tools.exchanges }));
    expectInert(exchanges);
    expect(exchanges).toContain('&lt;script&gt;');
    // Collapsed (as the live page gets them): the closed rows carry the same remote strings.
    const collapsed = collapseView(toView(after)).steps.find((s) => s.id === 'tools')!;
    const rows = render(createElement(ExchangeList, { exchanges: collapsed.exchanges }));
    expectInert(rows);
    expect(rows).toContain('Loading the headers and bodies');
    expectInert(render(createElement(CheckList, { checks: tools.checks })));
    expectInert(
      render(
        createElement(FactsView, {
          facts: { ...tools.facts, documentation: 'javascript:alert(1)', homepage: 'https://example.com/' },
        }),
      ),
    );
    expectInert(
      render(
        createElement(ErrorCallout, {
          error: { code: 'mcp_failed', message: `JSON-RPC error: ${SCRIPT}`, hint: IMG, actual: SCRIPT },
        }),
      ),
    );
  });

  it('links from metadata: only http(s), opened without opener or referrer', () => {
    const good = render(createElement(ExternalLink, { href: 'https://docs.example.com/mcp' }));
    expect(good).toContain('href="https://docs.example.com/mcp"');
    expect(good).toContain('rel="noopener noreferrer"');
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>x</script>',
      'vbscript:x',
    ]) {
      const html = render(createElement(ExternalLink, { href }));
      expect(html).not.toContain('href=');
      expectInert(html);
    }
    const facts = render(createElement(FactsView, { facts: { homepage: 'https://example.com/' } }));
    expect(facts).toMatch(/<a href="https:\/\/example.com\/" target="_blank" rel="noopener noreferrer"/);
  });
});
