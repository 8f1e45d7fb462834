import { expect, type Locator, type Page, type Request, type Response } from '@playwright/test';
import { SessionsPage } from './sessions-page';

/** The response header the hosting harness's nginx adds: which instance answered (`host:port`). */
const UPSTREAM_HEADER = 'x-inspector-upstream';

function isAction(response: Response): boolean {
  const request = response.request();
  return request.method() === 'POST' && request.headers()['next-action'] !== undefined;
}

function isCallback(response: Response): boolean {
  return new URL(response.url()).pathname === '/api/oauth/callback';
}

/** The instance that answered, as nginx names it (the last one tried, when a dead one was skipped). */
export function upstreamOf(response: Response): string | undefined {
  return response.headers()[UPSTREAM_HEADER]?.split(', ').at(-1);
}

/**
 * The inspector behind the hosting harness's proxy: the connected session as SessionsPage sees it, plus
 * which instance served each server action and each OAuth callback.
 */
export class HostingPage extends SessionsPage {
  /**
   * Every server action this page sent, in the order answered: its HTTP status, the instance that
   * answered, and when it was sent and answered (ms since the epoch, as seen by the test).
   */
  readonly actions: Array<{
    status: number;
    upstream: string | undefined;
    sentAt: number;
    answeredAt: number;
  }> = [];

  constructor(page: Page, baseUrl: string) {
    super(page, baseUrl);
    const sent = new Map<Request, number>();
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.headers()['next-action'] !== undefined)
        sent.set(request, Date.now());
    });
    page.on('response', (response) => {
      if (!isAction(response)) return;
      this.actions.push({
        status: response.status(),
        upstream: upstreamOf(response),
        sentAt: sent.get(response.request()) ?? Number.NaN,
        answeredAt: Date.now(),
      });
    });
  }

  /** Presses Start and returns the instance that ran the start action. */
  async startOn(url: string): Promise<string | undefined> {
    const answered = this.page.waitForResponse(isAction);
    await this.startWalkthrough(url, 'run-all');
    return upstreamOf(await answered);
  }

  /** Presses a bundled demo scenario's Try button and returns the instance that ran the start action. */
  async startScenarioOn(title: string): Promise<string | undefined> {
    const answered = this.page.waitForResponse(isAction);
    await this.page.getByRole('button', { name: `Try scenario: ${title}` }).click();
    return upstreamOf(await answered);
  }

  /** Opens the client registration step and returns one of its checks (e.g. `registration.cimd`). */
  async registrationCheck(id: string): Promise<Locator> {
    await this.showStep('Client registration');
    return this.stepDetail.locator(`[data-check-id="${id}"]`);
  }

  /**
   * Signs in and consents at the demo; `beforeConsent` runs on the consent page (the harness steers
   * the proxy there). Returns the callback URL the authorization server sent and who answered it.
   */
  async authorizeRecorded(beforeConsent?: () => Promise<void>): Promise<{ url: string; upstream?: string }> {
    const callback = this.page.waitForResponse(isCallback);
    const authorized = this.authorizeAtDemo({ beforeConsent });
    // A refused callback is an error page, not the app: fail on its answer instead of waiting for the app.
    const response = await Promise.race([callback, authorized.then(() => callback)]);
    if (response.status() !== 303) {
      const text = await response.text().catch(() => '');
      const title = /<h1>([^<]*)<\/h1>/.exec(text)?.[1];
      throw new Error(
        `The callback answered ${response.status()} (${title ?? 'no title'}), not the way back to the app.`,
      );
    }
    await authorized;
    return { url: response.url(), upstream: upstreamOf(response) };
  }

  /** Authorizes a new walkthrough in a browser the demo already knows (single sign-on: consent only). */
  async authorizeAgainAtDemo() {
    await this.page.getByRole('button', { name: 'Authorize', exact: true }).click();
    await this.signInAgainAtDemo();
  }

  /** Opens a URL (a callback sent again) and returns who answered and the page's heading. */
  async openDirectly(url: string): Promise<{ status: number; upstream?: string; heading: Locator }> {
    const response = await this.page.goto(url);
    if (!response) throw new Error(`no response for ${url}`);
    return {
      status: response.status(),
      upstream: upstreamOf(response),
      heading: this.page.getByRole('heading', { level: 1 }),
    };
  }

  /** The sentence a tool's run failed with, shown in its card. */
  toolAlert(name: string): Locator {
    return this.tool(name).getByRole('alert');
  }

  /** The session's report (as the server holds it now) has each of these texts: no call was lost. */
  async expectReportHolds(texts: string[]) {
    const report = await this.downloadReport();
    for (const text of texts) expect(report.text, `the report holds "${text}"`).toContain(text);
  }

  /** Distinct instances that answered this page's server actions. */
  actionUpstreams(): Set<string | undefined> {
    return new Set(this.actions.map((a) => a.upstream));
  }
}
