import { defineConfig } from 'drizzle-kit';

// Schema changes: edit src/db/schema.ts, then `npm run db:generate` and commit the new files in drizzle/.
// Every command that touches the database applies pending migrations first (src/db/migrate.ts); never `push`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
});
