import { ChildFactory } from './child.factory';
import { VietnamAdminUnits } from '../reference-data/admin-units.reference';

describe(ChildFactory.name, () => {
  it('builds a realistic child with a consistent personal ID', () => {
    const child = ChildFactory.from({ sex: 'F', dateOfBirth: '2016-04-30' }, 1).build();
    expect(child.sex).toBe('F');
    expect(child.fullName.split(' ').length).toBeGreaterThanOrEqual(2);
    expect(child.personalId).toMatch(/^0\d{2}316\d{6}$/);
    expect(VietnamAdminUnits.load().newCommune(child.communeCode)?.provinceCode).toBe(child.provinceCode);
  });

  it('keeps overrides and is deterministic for a seed', () => {
    expect(ChildFactory.from({ fullName: 'Lò Thị Xuyến' }, 3).build().fullName).toBe('Lò Thị Xuyến');
    expect(ChildFactory.from({}, 9).build()).toEqual(ChildFactory.from({}, 9).build());
    expect(
      ChildFactory.from()
        .buildMany(3)
        .map((c) => c.personalId),
    ).toHaveLength(3);
  });
});
