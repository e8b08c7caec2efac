module.exports = async function globalTeardown() {
  const server = globalThis.__CHILDLEDGER_DB_SERVER__;
  if (server) await server.stop();
};
