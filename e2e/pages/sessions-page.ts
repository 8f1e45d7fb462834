import { expect, type Locator } from '@playwright/test';
import { InspectorPage } from './inspector-page';

/**
 * The inspector once connected: the session's banners (reconnect, step-up, disconnected), the token
 * panel, the access audit and the demo switches. Locators by role and label; intent-named actions.
 */
export class SessionsPage extends InspectorPage {
  static from(page: InspectorPage): SessionsPage {
    return new SessionsPage(page.page, page.baseUrl);
  }

  get reconnectBanner(): Locator {
    return this.page.getByRole('region', { name: 'Reconnect' });
  }

  get stepUpBanner(): Locator {
    return this.page.getByRole('region', { name: 'Step-up authorization' });
  }

  get outcome(): Locator {
    return this.page.getByRole('region', { name: 'Outcome' });
  }

  get tokenPanel(): Locator {
    return this.page.getByRole('region', { name: 'Access token' });
  }

  get audit(): Locator {
    return this.page.getByRole('region', { name: 'Access audit' });
  }

  /** Starts on the demo server and signs in for the first time (run-all mode). */
  async connectToDemo(mcpUrl: string) {
    await this.open();
    await this.startWalkthrough(mcpUrl, 'run-all');
    await this.authorizeAtDemo();
    await this.expectConnected();
  }

  /**
   * The second authorization in the same browser: the demo skips the login page (single sign-on) but
   * asks for consent again. Signs in too if the session is gone.
   */
  async signInAgainAtDemo() {
    const login = this.page.getByRole('heading', { name: 'Sign in' });
    const consent = this.page.getByRole('heading', { name: /^Authorize .+\?$/ });
    await expect(login.or(consent)).toBeVisible();
    if (await login.isVisible()) {
      await this.page.getByLabel('Username').fill('demo');
      await this.page.getByLabel('Password').fill('demo');
      await this.page.getByRole('button', { name: 'Sign in' }).click();
    }
    await expect(consent).toBeVisible();
    await this.page.getByRole('button', { name: 'Authorize', exact: true }).click();
    await this.page.waitForURL(`${this.baseUrl}/`);
  }

  /** Presses Reconnect (in a banner, or after disconnecting) and signs in again. */
  async reconnect() {
    await this.page.getByRole('button', { name: 'Reconnect', exact: true }).click();
    await this.signInAgainAtDemo();
  }

  async reauthorizeWithMoreScopes() {
    await this.stepUpBanner.getByRole('button', { name: 'Re-authorize with more scopes' }).click();
    await this.signInAgainAtDemo();
  }

  async disconnect() {
    await this.page.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await expect(this.page.getByRole('heading', { name: 'Disconnected', exact: true })).toBeVisible();
  }

  /** Opens a step's detail in the walkthrough. */
  async showStep(title: string) {
    await this.stepButton(title).click();
    await expect(this.stepDetail.getByRole('heading', { name: title })).toBeVisible();
  }

  async runAudit() {
    await this.showView('Audit');
    await this.audit.getByRole('button', { name: 'Run access audit' }).click();
    await expect(this.audit.getByTestId('audit-summary')).toBeVisible();
  }

  /** The audit's revocation row: asks first, then ends the session. */
  async testRevocation() {
    await this.showView('Audit');
    await this.audit.getByRole('button', { name: 'Test revocation…' }).click();
    const dialog = this.page.getByRole('dialog', { name: /Revoke this session’s tokens/ });
    await expect(dialog).toContainText('This ends the session');
    await dialog.getByRole('button', { name: 'Revoke and test' }).click();
    await expect(this.page.getByRole('heading', { name: 'Disconnected', exact: true })).toBeVisible();
  }

  /** The audit's audience row: confirms, signs in again (naming a made-up resource) and comes back. */
  async testAudience() {
    await this.showView('Audit');
    await this.audit.getByRole('button', { name: 'Test audience…' }).click();
    const dialog = this.page.getByRole('dialog', { name: /test the audience check/ });
    await expect(dialog).toContainText('resource that does not exist');
    await dialog.getByRole('button', { name: 'Sign in and test' }).click();
    await this.signInAgainAtDemo();
    await this.expectConnected();
    // Back from the authorization server the page opens on the tools; the result is in the audit.
    await this.showView('Audit');
  }

  auditCheck(id: string): Locator {
    return this.audit.locator(`[data-check-id="${id}"]`);
  }

  /** Turns on one of the demo's break rows from the page's switches, and waits until the demo says so. */
  async breakDemoRow(label: string) {
    const details = this.page.locator('details', { hasText: 'Demo switches' });
    if (!(await details.getAttribute('open'))) await details.locator('summary').click();
    const row = details.getByRole('checkbox', { name: label });
    await expect(row).toBeEnabled();
    // A controlled checkbox: it shows the demo's answer, so click and wait for it (check() would not wait).
    await row.click();
    await expect(row).toBeChecked();
    await expect(row).toBeEnabled();
  }

  /** Flips a bundled-demo switch from the page (the inspector's server calls the demo). */
  async demoSwitch(label: string) {
    const details = this.page.locator('details', { hasText: 'Demo switches' });
    if (!(await details.getAttribute('open'))) await details.locator('summary').click();
    const state = details.getByTestId('demo-state');
    const before = (await state.textContent()) ?? '';
    await details.getByRole('button', { name: label, exact: true }).click();
    await expect(state).not.toHaveText(before);
  }
}
