import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventActor } from '../schema/tables/events.js';

const storage = new AsyncLocalStorage<EventActor>();

/**
 * Runs a request's work with who is making it in context, so every event the work appends names
 * its actor without each service passing it down. The engine's own work (dispatch, workflows)
 * runs outside any request and appends events with no actor.
 */
export function withActor<T>(actor: EventActor, run: () => T): T {
  return storage.run(actor, run);
}

export function currentActor(): EventActor | undefined {
  return storage.getStore();
}
