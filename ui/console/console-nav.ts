import type { UserRole } from '../../schema/tables/users.js';

/** The console's navigation, in order; a link shows only to roles that may open its page. */
export const CONSOLE_NAV: { label: string; href: string; role: UserRole }[] = [
  { label: 'Dashboard', href: '/ui', role: 'viewer' },
  { label: 'Programs', href: '/ui/programs', role: 'viewer' },
  { label: 'Members', href: '/ui/members', role: 'viewer' },
  { label: 'Referrals', href: '/ui/referrals', role: 'viewer' },
  { label: 'Rewards', href: '/ui/rewards', role: 'viewer' },
  { label: 'Payouts', href: '/ui/payouts', role: 'viewer' },
  { label: 'Connectors', href: '/ui/connectors', role: 'viewer' },
  { label: 'Schedules', href: '/ui/schedules', role: 'viewer' },
  { label: 'Exports', href: '/ui/exports', role: 'viewer' },
  { label: 'Inbound log', href: '/ui/inbound', role: 'admin' },
  { label: 'API keys', href: '/ui/api-keys', role: 'admin' },
  { label: 'Users', href: '/ui/users', role: 'admin' },
];
