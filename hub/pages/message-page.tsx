import type { Child } from 'hono/jsx';
import { PageLayout } from './page-layout.js';

/** A page that only says something: not found, paused, thank you, check your inbox, refused. */
export function MessagePage(props: { title: string; programName?: string; children: Child; link?: { href: string; label: string } }) {
  return (
    <PageLayout title={props.title} programName={props.programName}>
      <h1>{props.title}</h1>
      <div class="card">
        {props.children}
        {props.link ? (
          <p>
            <a class="button" href={props.link.href}>
              {props.link.label}
            </a>
          </p>
        ) : null}
      </div>
    </PageLayout>
  );
}
