// `@childledger/platform/config`: reading the environment and the deployment rules, without the
// rest of the platform (NestJS, PostgreSQL): what the console's small server needs.
export * from './load-config';
export * from './deployment-rules';
