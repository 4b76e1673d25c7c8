import type { HubDeps } from '../../hub/services/hub-deps.js';
import type { UserService } from '../../hub/console/user-service.js';
import type { ConsoleCookieJar } from './console-session.js';

/** What console pages get: the hub's deps plus the console's own services. */
export interface ConsoleDeps extends HubDeps {
  users: UserService;
  cookies: ConsoleCookieJar;
}
