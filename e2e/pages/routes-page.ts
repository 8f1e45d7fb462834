import { expect, type Locator } from '@playwright/test';
import { SessionsPage } from './sessions-page';

export interface RouteChoice {
  grant: 'Sign in in the browser' | 'Client credentials' | 'Enterprise-managed' | 'Workload identity';
  clientId?: string;
  clientSecret?: string;
  authMethod?: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  idp?: { issuer: string; clientId: string };
  dpop?: boolean;
}

/**
 * The routes beyond the browser sign-in, as a user picks them in the folded Options (grant, client
 * credentials, enterprise IdP, DPoP). Locators by role and label; intent-named actions.
 */
export class RoutesPage extends SessionsPage {
  static override from(page: { page: SessionsPage['page']; baseUrl: string }): RoutesPage {
    return new RoutesPage(page.page, page.baseUrl);
  }

  get options(): Locator {
    return this.form.locator('details');
  }

  get grantSelect(): Locator {
    return this.page.getByRole('combobox', { name: 'Grant' });
  }

  async openOptions() {
    const details = this.options;
    if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) {
      await details.locator('summary').click();
    }
    await expect(this.grantSelect).toBeVisible();
  }

  /** Opens the Options and fills in the route; Start is still the caller's. */
  async chooseRoute(route: RouteChoice) {
    await this.openOptions();
    const option = this.grantSelect.locator('option', { hasText: route.grant });
    await this.grantSelect.selectOption({ value: (await option.getAttribute('value')) ?? '' });
    if (route.clientId) await this.page.getByLabel('Client ID (pre-registered)').fill(route.clientId);
    if (route.clientSecret) await this.page.getByLabel(/^Client secret/).fill(route.clientSecret);
    if (route.authMethod) {
      await this.page
        .getByRole('combobox', { name: 'Token endpoint authentication' })
        .selectOption(route.authMethod);
    }
    if (route.idp) {
      await this.page.getByLabel('Enterprise IdP issuer').fill(route.idp.issuer);
      await this.page.getByLabel('Client ID at the IdP').fill(route.idp.clientId);
    }
    if (route.dpop) await this.page.getByRole('checkbox', { name: /DPoP-bound tokens/ }).check();
  }

  /** The audience test on a route without a browser: confirmed, run at the token endpoint, no sign-in. */
  async testAudienceWithoutBrowser() {
    await this.showView('Audit');
    await this.audit.getByRole('button', { name: 'Test audience…' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Test the audience check?' });
    await expect(dialog).toContainText('client credentials grant');
    await dialog.getByRole('button', { name: 'Test', exact: true }).click();
    await expect(dialog).toBeHidden();
  }
}
