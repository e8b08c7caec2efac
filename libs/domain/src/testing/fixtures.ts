import type { AdministrativeUnitLookup } from '../shared/context';

/** A small stand-in for @childledger/admin-units with real codes. */
export const FAKE_UNITS: AdministrativeUnitLookup = {
  isCommuneValidOn(code: string, date: string): boolean {
    const before = date < '2025-07-01';
    // 00007 Phường Cống Vị existed only before the reform; 00025 Giảng Võ and 00004 exist on both sides.
    const communes = before ? ['00004', '00007', '00025', '06970'] : ['00004', '00008', '00025', '06970', '00097'];
    return communes.includes(code);
  },
  isKnownProvinceCode(code: string): boolean {
    return KNOWN_PROVINCE_CODES.includes(code);
  },
};

/** The 63 province codes before 2025-07-01 (the 34 after are a subset). */
export const KNOWN_PROVINCE_CODES = [
  '01',
  '02',
  '04',
  '06',
  '08',
  '10',
  '11',
  '12',
  '14',
  '15',
  '17',
  '19',
  '20',
  '22',
  '24',
  '25',
  '26',
  '27',
  '30',
  '31',
  '33',
  '34',
  '35',
  '36',
  '37',
  '38',
  '40',
  '42',
  '44',
  '45',
  '46',
  '48',
  '49',
  '51',
  '52',
  '54',
  '56',
  '58',
  '60',
  '62',
  '64',
  '66',
  '67',
  '68',
  '70',
  '72',
  '74',
  '75',
  '77',
  '79',
  '80',
  '82',
  '83',
  '84',
  '86',
  '87',
  '89',
  '91',
  '92',
  '93',
  '94',
  '95',
  '96',
];

/** 10:00 on 15 September 2025 in Hà Nội. */
export const NOW = new Date('2025-09-15T03:00:00.000Z');
