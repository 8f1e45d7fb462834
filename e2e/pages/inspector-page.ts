import { expect, type Locator, type Page, type Response, type Route } from '@playwright/test';

export type ViewName = 'Walkthrough' | 'Sequence' | 'Timeline' | 'Tools' | 'Token' | 'Audit';

/** The inspector as a user sees it: intent-named actions, locators by role and label. */
export class InspectorPage {
  readonly form: Locator;
  readonly serverUrl: Locator;
  readonly startButton: Locator;
  readonly steps: Locator;
  readonly stepDetail: Locator;
  readonly doctor: Locator;
  readonly tools: Locator;

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    this.form = page.getByRole('form', { name: 'Target server' });
    this.serverUrl = page.getByLabel('MCP server URL');
    this.startButton = page.getByRole('button', { name: 'Start', exact: true });
    this.steps = page.getByRole('navigation', { name: 'Steps' });
    this.stepDetail = page.locator('article[aria-labelledby="step-title"]');
    this.doctor = page.getByRole('region', { name: 'Doctor summary' });
    this.tools = page.getByRole('region', { name: /Tools/ });
  }

  async open() {
    await this.page.goto(this.baseUrl);
    await expect(this.serverUrl).toBeVisible();
  }

  async chooseMode(mode: 'guided' | 'run-all') {
    await this.page.getByRole('radio', { name: mode === 'guided' ? /Guided/ : /Run all/ }).check();
  }

  async startWalkthrough(url: string, mode: 'guided' | 'run-all' = 'run-all') {
    await this.chooseMode(mode);
    await this.serverUrl.fill(url);
    await this.startButton.click();
  }

  /** Opens the page and starts a run-all walkthrough; it pauses at the Authorize button. */
  async startUntilConsent(url: string) {
    await this.open();
    await this.startWalkthrough(url);
    await expect(this.page.getByRole('button', { name: 'Authorize', exact: true })).toBeVisible();
  }

  /** Opens the page, starts, signs in at the demo as demo/demo and waits until connected. */
  async connectToDemo(url: string) {
    await this.startUntilConsent(url);
    await this.authorizeAtDemo();
    await this.expectConnected();
  }

  /** Follows the Authorize button to the demo authorization server, signs in (demo/demo by default) and consents. */
  async authorizeAtDemo(
    options: {
      consent?: 'Authorize' | 'Deny';
      user?: 'demo' | 'alex';
      /** Runs on the consent page, just before the click that sends the browser back to the inspector. */
      beforeConsent?: () => Promise<void>;
    } = {},
  ) {
    const user = options.user ?? 'demo';
    await this.page.getByRole('button', { name: 'Authorize', exact: true }).click();
    await this.expectSignInPage();
    await this.page.getByLabel('Username').fill(user);
    await this.page.getByLabel('Password').fill(user);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    const consent = this.page.getByRole('button', { name: options.consent ?? 'Authorize', exact: true });
    await expect(consent).toBeVisible();
    await options.beforeConsent?.();
    await consent.click();
    await this.page.waitForURL(`${this.baseUrl}/`);
  }

  /**
   * The demo authorization server shows its sign-in page, not its error page: a refused authorization
   * request (an unknown client, a document it could not fetch) fails here with the server's words,
   * instead of a test timeout waiting for a login form.
   */
  async expectSignInPage() {
    const login = this.page.getByLabel('Username');
    const refused = this.page.getByRole('heading', { name: 'Something went wrong' });
    await expect(login.or(refused)).toBeVisible();
    if (await refused.isVisible()) {
      const words = ((await this.page.getByRole('main').textContent()) ?? '').replace(/\s+/g, ' ').trim();
      throw new Error(`The authorization server refused the authorization request: ${words}`);
    }
  }

  /** The view switcher's tabs: Walkthrough, Sequence, Timeline, Tools, Token, Audit. */
  viewTab(name: ViewName): Locator {
    return this.page.getByRole('tablist', { name: 'Views of this walkthrough' }).getByRole('tab', {
      name: new RegExp(`^${name}`),
    });
  }

  /** Shows one view of the walkthrough (a no-op when it is already shown). */
  async showView(name: ViewName) {
    const tab = this.viewTab(name);
    if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
    await expect(tab).toHaveAttribute('aria-selected', 'true');
  }

  stepButton(title: string | RegExp): Locator {
    return this.steps.getByRole('button', { name: title });
  }

  async next() {
    await this.page.getByRole('button', { name: 'Next', exact: true }).click();
  }

  async expectConnected() {
    await expect(this.page.getByRole('heading', { name: /Connected/ })).toBeVisible();
  }

  tool(name: string): Locator {
    return this.page.getByRole('article', { name: `Tool ${name}` });
  }

  /** Downloads this walkthrough's report; returns the parsed JSON and the file name. */
  async downloadReport(): Promise<{ json: Record<string, unknown>; text: string; fileName: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('link', { name: 'Download report (redacted)' }).click(),
    ]);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(path, 'utf8');
    return {
      json: JSON.parse(text) as Record<string, unknown>,
      text,
      fileName: download.suggestedFilename(),
    };
  }

  /** Downloads this walkthrough as the offline HTML report; returns its text, file name and saved path. */
  async downloadHtmlReport(): Promise<{ text: string; fileName: string; path: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('link', { name: 'Download report (HTML)' }).click(),
    ]);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    return { text: await readFile(path, 'utf8'), fileName: download.suggestedFilename(), path };
  }

  /** Opens a report file from disk, read-only. */
  async openReport(file: { name: string; mimeType: string; buffer: Buffer }) {
    await this.page.getByLabel('Open a report…').setInputFiles(file);
  }

  /** The connected banner's line saying which MCP revision and wire the server speaks. */
  get spokenWire(): Locator {
    return this.page.getByRole('region', { name: 'Outcome' }).getByTestId('spoken-wire');
  }

  /** Opens the MCP session step and returns its "Speaks MCP …" line. */
  async mcpStepWire(): Promise<Locator> {
    await this.stepButton('MCP session').click();
    await expect(this.stepDetail.getByRole('heading', { name: 'MCP session' })).toBeVisible();
    return this.stepDetail.getByTestId('spoken-wire');
  }

  /** What a tool asked before it answers (an input-required result), inside its card. */
  inputRequest(tool: string): Locator {
    return this.tool(tool).getByRole('region', { name: `${tool} asks for input before it answers` });
  }

  /** Answers one question of an input-required form: fills its fields (labels), then submits that answer. */
  async answerInput(tool: string, key: string, fill: Record<string, string>) {
    const form = this.inputRequest(tool);
    for (const [label, value] of Object.entries(fill)) {
      const field = form.getByLabel(label, { exact: false }).first();
      if ((await field.evaluate((el) => el.tagName)) === 'SELECT') await field.selectOption(value);
      else await field.fill(value);
    }
    await form.getByRole('button', { name: `Answer ${key}` }).click();
    return this.tool(tool).getByRole('region', { name: `Result of ${tool}` });
  }

  /** Declines what the tool asked: the call is repeated with a decline. */
  async declineInput(tool: string) {
    await this.inputRequest(tool)
      .getByRole('button', { name: /^Decline/ })
      .click();
    return this.tool(tool).getByRole('region', { name: `Result of ${tool}` });
  }

  /** Fills a tool's form without running it: returns its Run button and its result region. */
  async prepareTool(name: string, fill: Record<string, string> = {}) {
    await this.showView('Tools');
    const card = this.tool(name);
    for (const [label, value] of Object.entries(fill)) {
      await card.getByLabel(label, { exact: false }).first().fill(value);
    }
    return {
      run: card.getByRole('button', { name: `Run ${name}` }),
      result: card.getByRole('region', { name: `Result of ${name}` }),
    };
  }

  async runTool(name: string, fill: Record<string, string> = {}) {
    const { run, result } = await this.prepareTool(name, fill);
    await run.click();
    return result;
  }

  /**
   * Runs `act` and returns the answer of the server action it caused whose arguments mention
   * `argument` (a POST carrying Next-Action; other actions, such as saving the mode, pass by). The
   * answer is read through a route, as the browser's own copy of a streamed body may be gone.
   */
  async actionResponse(
    argument: string,
    act: () => Promise<unknown>,
  ): Promise<{ headers: Record<string, string>; body: string }> {
    const matches = (url: URL) => url.origin === new URL(this.baseUrl).origin;
    let answered: (answer: { headers: Record<string, string>; body: string }) => void = () => {};
    const answer = new Promise<{ headers: Record<string, string>; body: string }>((resolve) => {
      answered = resolve;
    });
    const handler = async (route: Route) => {
      const request = route.request();
      const ours =
        request.method() === 'POST' &&
        (await request.headerValue('next-action')) !== null &&
        (request.postData() ?? '').includes(argument);
      if (!ours) return route.fallback();
      const response = await route.fetch();
      const body = await response.text();
      answered({ headers: response.headers(), body });
      return route.fulfill({ response, body });
    };
    await this.page.route(matches, handler);
    try {
      const [result] = await Promise.all([answer, act()]);
      return result;
    } finally {
      await this.page.unroute(matches, handler);
    }
  }

  /** The selected step's exchanges, each a <details> row. */
  get exchanges(): Locator {
    return this.stepDetail.getByRole('region', { name: 'HTTP exchanges' }).locator('details');
  }

  /** Opens one step's exchange (the nth row) and returns it with the request its body loaded with. */
  async openExchange(step: string, n = 0): Promise<{ item: Locator; response: Response }> {
    await this.stepButton(step).click();
    const item = this.exchanges.nth(n);
    const [response] = await Promise.all([
      this.page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/exchange/')),
      item.locator('summary').click(),
    ]);
    return { item, response };
  }
}
