import { benchClicks } from './clicks.js';
import { benchConsoleLists } from './console-lists.js';
import { benchExport } from './export.js';
import { benchIntake } from './intake.js';
import { benchLatency } from './latency.js';
import { benchLifecycle } from './lifecycle.js';
import { benchMemory } from './memory.js';
import { benchSync } from './sync.js';

// `npm run bench -- <name>`: each benchmark prints its figures next to a baseline measured in the same run.
const BENCHES: Record<string, () => Promise<unknown>> = {
  intake: benchIntake,
  // The old name of `intake`, kept for scripts and notes that still say it.
  ingest: benchIntake,
  export: benchExport,
  sync: benchSync,
  console: benchConsoleLists,
  clicks: benchClicks,
  memory: benchMemory,
  lifecycle: benchLifecycle,
  latency: benchLatency,
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !BENCHES[n]);
if (names.length === 0 || unknown.length > 0) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> …`);
  process.exit(2);
}
for (const name of names) await BENCHES[name]!();
