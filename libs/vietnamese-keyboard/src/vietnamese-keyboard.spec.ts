import fc from 'fast-check';
import { decodeTelex, decodeVni, encodeTelex, encodeVni, foldVietnameseName, typedNameReadings } from './vietnamese-keyboard';

describe('Vietnamese typed without an input method', () => {
  describe(decodeTelex.name, () => {
    it.each([
      ['Nguyeenx Thij Mai', 'Nguyễn Thị Mai'],
      ['Traanf Vaan Hungf', 'Trần Vân Hùng'],
      ['Traanf Vawn Hungf', 'Trần Văn Hùng'],
      ['Phamj Thuyr', 'Phạm Thủy'],
      ['Phaamj', 'Phậm'],
      ['Phuowng', 'Phương'],
      ['Truwowng', 'Trương'],
      ['ddoongf', 'đồng'],
      ['DDinhf', 'Đình'],
      ['Hoaf', 'Hòa'],
      ['Hoafn', 'Hoàn'],
      ['Quoocs', 'Quốc'],
      ['Giangs', 'Giáng'],
      ['Xuaan Sown', 'Xuân Sơn'],
      ['Nguyễn Thị Mai', 'Nguyễn Thị Mai'],
      ['Nguyen Thi Mai', 'Nguyen Thi Mai'],
    ])('%s → %s', (typed, meant) => {
      expect(decodeTelex(typed)).toBe(meant.normalize('NFC'));
    });
  });

  describe(decodeVni.name, () => {
    it.each([
      ['Nguye6n4 Thi5', 'Nguyễn Thị'],
      ['Nguye6n4 Thi5 Mai', 'Nguyễn Thị Mai'],
      ['Tra6n2 Va8n Hu2ng', 'Trần Văn Hùng'],
      ['Phuo7ng', 'Phương'],
      ['D9o6ng2', 'Đồng'],
      ['Hoa2', 'Hòa'],
      ['Nguyen Thi Mai', 'Nguyen Thi Mai'],
      ['2016', '2016'],
    ])('%s → %s', (typed, meant) => {
      expect(decodeVni(typed)).toBe(meant.normalize('NFC'));
    });
  });

  describe(foldVietnameseName.name, () => {
    it('drops tones and vowel marks, đ as d, lower case, single spaces', () => {
      expect(foldVietnameseName('  Nguyễn   Thị  Mai ')).toBe('nguyen thi mai');
      expect(foldVietnameseName('Đặng Hoà-Bình')).toBe('dang hoa binh');
      // NFD input (as some keyboards send it) folds the same way.
      expect(foldVietnameseName('Nguyễn'.normalize('NFD'))).toBe('nguyen');
    });

    it('is idempotent and never leaves a combining mark', () => {
      fc.assert(
        fc.property(fc.string({ unit: fc.constantFrom(...'aăâeêioôơuưyđdAĐ ẽỵảàáọ-x'.split('')) }), (s) => {
          const once = foldVietnameseName(s);
          expect(foldVietnameseName(once)).toBe(once);
          expect(once).not.toMatch(/[\u0300-\u036fđ]/u);
        }),
      );
    });
  });

  describe(typedNameReadings.name, () => {
    it('reads what was typed as it is, as Telex and as VNI, folded, without repeats', () => {
      expect(typedNameReadings('Nguyeenx Thij Mai')).toEqual(['nguyeenx thij mai', 'nguyen thi mai']);
      expect(typedNameReadings('Nguye6n4 Thi5')).toEqual(['nguye6n4 thi5', 'nguyen thi']);
      expect(typedNameReadings('Nguyễn Thị Mai')).toEqual(['nguyen thi mai']);
      // A name that only looks like Telex keeps its plain reading.
      expect(typedNameReadings('Ksor')).toEqual(['ksor', 'kso']);
      expect(typedNameReadings('  ')).toEqual([]);
    });
  });
});

describe('encodeTelex / encodeVni (the generator’s model of typing with the input method off)', () => {
  it.each([
    ['Nguyễn Thị Mai', 'Nguyeenx Thij Mai', 'Nguye6n4 Thi5 Mai'],
    ['Trần Đức Hoà', 'Traanf Dduwcs Hoaf', 'Tra6n2 D9u7c1 Hoa2'],
    ['NGUYỄN VĂN ƯỚC', 'NGUYEENX VAWN UWOWCS', 'NGUYE6N4 VA8N U7O7C1'],
    ['Lương Quốc Khánh', 'Luwowng Quoocs Khanhs', 'Lu7o7ng Quo6c1 Khanh1'],
  ])('%s → %s (Telex), %s (VNI)', (name, telex, vni) => {
    expect(encodeTelex(name)).toBe(telex);
    expect(encodeVni(name)).toBe(vni);
  });

  it('decoding what it typed gives the name back, the tone on the vowel the spelling rules give it', () => {
    const names = ['Nguyễn Thị Mai', 'Lương Quốc Khánh', 'Đặng Thị Ánh Tuyết', 'Huỳnh Ngọc Hải Yến', 'Bùi Đức Thắng', 'Vũ Thị Hường', 'Phan Văn Ước'];
    for (const name of names) {
      expect(decodeTelex(encodeTelex(name))).toBe(name.normalize('NFC'));
      expect(decodeVni(encodeVni(name))).toBe(name.normalize('NFC'));
    }
    // Open oa/oe/uy syllables: the decoder puts the tone on the first vowel (Hòa), the old placement.
    expect(foldVietnameseName(decodeTelex(encodeTelex('Hoà')))).toBe('hoa');
    expect(decodeTelex(encodeTelex('Hoà'))).toBe('Hòa');
  });

  it('leaves a name without Vietnamese letters or tones as it is', () => {
    expect(encodeTelex("Ksor H'Hen")).toBe("Ksor H'Hen");
    expect(encodeVni('Mai Lan')).toBe('Mai Lan');
  });
});
