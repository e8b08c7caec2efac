// One database server for the whole jest run: embedded PostgreSQL unless DATABASE_URL is set.
// Each spec file then creates its own fresh database on it (libs/database createTestDatabase).
require('../register');
const { startDatabaseServer, TEST_ADMIN_URL_VARIABLE } = require('../../libs/database/src');

module.exports = async function globalSetup() {
  const server = await startDatabaseServer({
    databaseUrl: process.env.DATABASE_URL || undefined,
    ephemeral: true,
    // Test-only speed-ups: the tests crash clients and subscribers, never the server.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: 400 },
  });
  process.env[TEST_ADMIN_URL_VARIABLE] = server.adminUrl;
  globalThis.__CHILDLEDGER_DB_SERVER__ = server;
  process.stderr.write(`\n[test] database server: ${server.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'} (${new URL(server.adminUrl).host})\n`);
};
