import { AdministrativeUnits, loadAdministrativeUnits } from '@childledger/admin-units';
import type { AdministrativeUnitLookup } from '../shared/context';
import { DeciderSpecification } from '../testing/decider-specification';
import { NOW } from '../testing/fixtures';
import { childDecider } from './child.decider';

// The domain only knows the AdministrativeUnitLookup interface; this checks the real lists fit it.
describe(`${AdministrativeUnits.name} as the child decider's unit lookup`, () => {
  const units: AdministrativeUnitLookup = loadAdministrativeUnits();
  const spec = DeciderSpecification.for(childDecider);
  const register = (communeCode: string, effectiveFrom: string, personalId?: string) => ({
    type: 'RegisterChild' as const,
    data: {
      childId: 'c1',
      fullName: 'Lê Văn An',
      dateOfBirth: '2012-06-01',
      sex: 'M' as const,
      residence: { communeCode, effectiveFrom },
      ...(personalId ? { personalId } : {}),
    },
    context: { now: NOW, units },
  });

  it('accepts Ba Chẽ 06970 on both sides of the reform, and refuses 06978', () => {
    expect(childDecider.decide(register('06970', '2020-01-01'), childDecider.initialState())).toHaveLength(1);
    expect(childDecider.decide(register('06970', '2025-08-01'), childDecider.initialState())).toHaveLength(1);
    spec.given([]).when(register('06978', '2025-08-01')).thenThrows('UNKNOWN_COMMUNE', 'residence.communeCode');
  });

  it('refuses a commune abolished by the reform for a date after it (00007 Cống Vị)', () => {
    spec.given([]).when(register('00007', '2025-08-01')).thenThrows('UNKNOWN_COMMUNE', 'residence.communeCode');
  });

  it('accepts a personal ID from a province that no longer exists (002 Hà Giang) and refuses one from 003', () => {
    expect(childDecider.decide(register('00004', '2020-01-01', '002212000001'), childDecider.initialState())).toHaveLength(1);
    spec
      .given([])
      .when(register('00004', '2020-01-01', '003212000001'))
      .thenThrows('INVALID_PERSONAL_ID', 'personalId', { personalIdProblem: 'UNKNOWN_PROVINCE_CODE' });
  });
});
