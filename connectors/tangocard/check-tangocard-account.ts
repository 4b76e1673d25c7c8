import { ConnectorError } from '../connector.js';
import { requireTangoCardSuccess, type TangoCardApi } from './send-tangocard-request.js';

export interface TangoCardCheckSettings {
  accountIdentifier: string;
  utid: string;
  currency: string;
}

interface CatalogItem {
  utid?: unknown;
  currencyCode?: unknown;
}

/**
 * The credentials probe: reading the configured account proves the platform name and key (401
 * otherwise) and that the account exists (404). The catalog then proves the utid can be ordered
 * and is in the currency the connector says it pays, so a wrong utid or currency is found when
 * the connector is saved rather than by the first payout.
 */
export async function checkTangoCardAccount(api: TangoCardApi, settings: TangoCardCheckSettings): Promise<void> {
  await requireTangoCardSuccess(api, (client) => client.get(`/accounts/${encodeURIComponent(settings.accountIdentifier)}`));
  const catalog = await requireTangoCardSuccess(api, (client) => client.get('/catalogs', { params: { verbose: false } }));
  const brands: unknown = (catalog.data as { brands?: unknown } | undefined)?.brands;
  const items: CatalogItem[] = Array.isArray(brands)
    ? brands.flatMap((brand: unknown) => {
        const list = (brand as { items?: unknown } | null)?.items;
        return Array.isArray(list) ? (list as CatalogItem[]) : [];
      })
    : [];
  const item = items.find((candidate) => candidate?.utid === settings.utid);
  if (!item) throw new ConnectorError('invalid', `utid ${settings.utid} is not in this Tango Card platform's catalog`);
  if (typeof item.currencyCode === 'string' && item.currencyCode !== settings.currency) {
    throw new ConnectorError(
      'invalid',
      `utid ${settings.utid} is a ${item.currencyCode} reward; set currency to ${item.currencyCode} (the connector is set to ${settings.currency})`,
    );
  }
}
