import { FormGuards } from './form-parts.js';
import { PageLayout } from './page-layout.js';
import type { PortalView } from '../services/portal-view-service.js';
import { SharePanel } from './share-panel.js';

const day = (d: Date) => d.toISOString().slice(0, 10);
const words = (status: string) => status.replaceAll('_', ' ');

function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

function Table(props: { caption: string; empty: string; head: string[]; rows: string[][] }) {
  if (props.rows.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <table>
      <caption class="sr-only">{props.caption}</caption>
      <thead>
        <tr>
          {props.head.map((h) => (
            <th scope="col">{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr>
            {row.map((cell) => (
              <td>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A signed-in member's own link, clicks, referrals (emails masked), rewards and payouts. */
export function PortalPage(props: { slug: string; programName: string; shareMessage: string; csrfToken: string; view: PortalView }) {
  const v = props.view;
  return (
    <PageLayout title="Your referrals" programName={props.programName} copyScript>
      <h1>{v.firstName ? `Hi ${v.firstName}` : 'Your referrals'}</h1>
      <div class="card">
        <SharePanel url={v.url} message={props.shareMessage} />
      </div>
      <div class="card">
        <h2>Clicks on your link</h2>
        <p class="stat">{v.clicks}</p>
      </div>
      <div class="card">
        <h2>Referrals</h2>
        <Table
          caption="Your referrals"
          empty="No referrals yet."
          head={['Friend', 'Status', 'Date']}
          rows={v.referrals.map((r) => [r.email, words(r.status), day(r.createdAt)])}
        />
        <h2>Rewards</h2>
        <Table
          caption="Your rewards"
          empty="No rewards yet."
          head={['Amount', 'Kind', 'Status', 'Date']}
          rows={v.rewards.map((r) => [money(r.amount, r.currency), words(r.kind), words(r.status), day(r.createdAt)])}
        />
        <h2>Payouts</h2>
        <Table
          caption="Your payouts"
          empty="No payouts yet."
          head={['Amount', 'Status', 'Date']}
          rows={v.payouts.map((p) => [money(p.amount, p.currency), words(p.status), day(p.paidAt ?? p.createdAt)])}
        />
      </div>
      <form method="post" action={`/p/${props.slug}/logout`}>
        <FormGuards csrfToken={props.csrfToken} />
        <button type="submit" class="secondary">
          Sign out
        </button>
      </form>
    </PageLayout>
  );
}
