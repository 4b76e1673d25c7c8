import { loadConfig } from '../lib/config.js';
import { runMigrations } from './migrate.js';

// `npm run db:migrate`: for production, against DATABASE_URL.
const config = loadConfig();
if (!config.DATABASE_URL) {
  console.error('DATABASE_URL is required for db:migrate (npm start migrates the embedded database itself).');
  process.exit(1);
}
await runMigrations(config.DATABASE_URL);
console.log('migrations applied');
