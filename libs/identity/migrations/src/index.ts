import { CreateIdentityTables1795470000000 } from './1795470000000-create-identity-tables';

export { CreateIdentityTables1795470000000 };
export const IDENTITY_MIGRATIONS = [CreateIdentityTables1795470000000];
