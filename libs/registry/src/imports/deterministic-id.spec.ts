import { uuidV5 } from './deterministic-id';

describe(uuidV5.name, () => {
  it('is RFC 9562 version 5 (the RFC example: "www.example.com" in the DNS namespace)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives the same id for the same name and another for another name', () => {
    expect(uuidV5('child-record\u0000a')).toBe(uuidV5('child-record\u0000a'));
    expect(uuidV5('child-record\u0000a')).not.toBe(uuidV5('child-record\u0000b'));
  });
});
