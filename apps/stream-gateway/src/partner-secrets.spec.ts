import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { PartnerAgreement } from '@childledger/partner-streams';
import { loadPartnerSecrets } from './partner-secrets';

const moh = { id: 'moh', name: 'Bộ Y tế', sector: 'health', events: {}, jurisdictions: ['*'], channels: ['http'] } as unknown as PartnerAgreement;

describe(loadPartnerSecrets.name, () => {
  it("takes the file partners' secrets, and those of partners created through the admin API, from the environment or the secrets file", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'secrets-')), 'secrets.json');
    writeFileSync(file, JSON.stringify({ moh: { keySecret: 'k-moh', clientSecret: 'c-moh' }, 'moj-hn': { keySecret: 'k-moj-hn' } }));
    const { secrets, generated } = loadPartnerSecrets([moh], {
      file,
      env: { PARTNER_MOLISA_KEY_SECRET: 'k-molisa', PARTNER_MOLISA_CLIENT_SECRET: 'c-molisa' },
    });
    expect(generated).toEqual([]);
    expect(secrets).toEqual({
      moh: { keySecret: 'k-moh', clientSecret: 'c-moh' },
      'moj-hn': { keySecret: 'k-moj-hn', clientSecret: undefined },
      molisa: { keySecret: 'k-molisa', clientSecret: 'c-molisa' },
    });
  });

  it('lets the environment win over the file', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'secrets-')), 'secrets.json');
    writeFileSync(file, JSON.stringify({ moh: { keySecret: 'from-file' } }));
    expect(loadPartnerSecrets([moh], { file, env: { PARTNER_MOH_KEY_SECRET: 'from-env' } }).secrets['moh']?.keySecret).toBe('from-env');
  });
});
