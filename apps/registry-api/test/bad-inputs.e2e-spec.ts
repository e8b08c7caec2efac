import { randomUUID } from 'node:crypto';
import { vietnamDate } from '@childledger/domain';
import { BA_DINH, HttpResult, RegistryApiHarness, registration } from './registry-api.harness';

/** Ngọc Hà ward, Hà Nội: in the province, not in the commune officer's commune. */
const NGOC_HA = '00008';
/** Thủ Dầu Một ward, Hồ Chí Minh City: outside Hà Nội. */
const THU_DAU_MOT = '25747';

const today = vietnamDate(new Date());
const yearsAgo = (n: number) => `${Number(today.slice(0, 4)) - n}${today.slice(4)}`;

interface BadInput {
  name: string;
  send: () => Promise<HttpResult>;
  status: number;
  field: string | null;
  rule: string;
}

/**
 * The catalogue of bad inputs: each gets the right status, an error naming the field and the
 * rule, and writes no event.
 */
describe('registry API: bad inputs', () => {
  let api: RegistryApiHarness;
  let child: string; // in Ba Đình, registered by the commune officer
  let farChild: string; // in Hồ Chí Minh City, registered by the admin
  let caseId: string; // a case of `child`, just reported

  beforeAll(async () => {
    api = await RegistryApiHarness.start({ bodyLimit: '64kb' });
    const c = await api.post<{ id: string }>('/children', registration());
    expect(c.status).toBe(201);
    child = c.body.id;
    const far = await api.post<{ id: string }>(
      '/children',
      registration({ fullName: 'Lê Văn Bình', personalId: undefined, residence: { communeCode: THU_DAU_MOT, effectiveFrom: '2025-08-01' } }),
      'admin',
    );
    expect(far.status).toBe(201);
    farChild = far.body.id;
    const k = await api.post<{ id: string }>(
      '/cases',
      { childId: child, channel: 'hotline_111', concern: 'neglect', protectionLevel: 'support', reportedAt: new Date().toISOString() },
      'provinceCaseWorker',
    );
    expect(k.status).toBe(201);
    caseId = k.body.id;
  });
  afterAll(() => api.stop());

  // Paths and bodies are built when the test runs: the records they name exist only then.
  const post = (path: () => string, body: unknown, as?: Parameters<RegistryApiHarness['post']>[2], headers?: Record<string, string>) => () =>
    api.post(path(), typeof body === 'function' ? (body as () => unknown)() : body, as, headers);
  const reg = (overrides: Record<string, unknown>, as?: Parameters<RegistryApiHarness['post']>[2]) => post(() => '/children', registration(overrides), as);
  /** A read, sending exactly these headers (no purpose unless given). */
  const read =
    (path: () => string, as?: Parameters<RegistryApiHarness['post']>[2], headers: Record<string, string> = {}) =>
    () =>
      api.request('GET', path(), { as, headers });

  const catalogue: BadInput[] = [
    // -- the body itself
    { name: 'malformed JSON', send: post(() => '/children', '{"fullName": "Nguyễn'), status: 400, field: 'body', rule: 'MALFORMED_JSON' },
    { name: 'a JSON array instead of an object', send: post(() => '/children', '[]'), status: 400, field: 'body', rule: 'isObject' },
    { name: 'a JSON string instead of an object', send: post(() => '/children', '"Nguyễn Thị Hà"'), status: 400, field: 'body', rule: 'MALFORMED_JSON' },
    { name: 'an oversized body', send: reg({ notes: 'x'.repeat(70_000) }), status: 413, field: 'body', rule: 'BODY_TOO_LARGE' },
    // -- types, unknown and missing fields
    { name: 'a number as the name', send: reg({ fullName: 42 }), status: 400, field: 'fullName', rule: 'isString' },
    { name: 'a number as the sex', send: reg({ sex: 1 }), status: 400, field: 'sex', rule: 'isIn' },
    { name: 'an unknown sex', send: reg({ sex: 'X' }), status: 400, field: 'sex', rule: 'isIn' },
    { name: 'a boolean as the personal ID', send: reg({ personalId: true }), status: 400, field: 'personalId', rule: 'isString' },
    { name: 'an unknown field', send: reg({ nickname: 'Bé Na' }), status: 400, field: 'nickname', rule: 'whitelistValidation' },
    {
      name: 'an unknown nested field',
      send: reg({ residence: { communeCode: BA_DINH, effectiveFrom: '2025-09-01', street: 'Phố Quán Thánh' } }),
      status: 400,
      field: 'residence.street',
      rule: 'whitelistValidation',
    },
    { name: 'no name', send: reg({ fullName: undefined }), status: 400, field: 'fullName', rule: 'isString' },
    { name: 'no date of birth', send: reg({ dateOfBirth: undefined }), status: 400, field: 'dateOfBirth', rule: 'isCalendarDate' },
    { name: 'no residence', send: reg({ residence: undefined }), status: 400, field: 'residence', rule: 'isDefined' },
    { name: 'a residence that is not an object', send: reg({ residence: '00004' }), status: 400, field: 'residence', rule: 'isObject' },
    { name: 'an empty name', send: reg({ fullName: '' }), status: 400, field: 'fullName', rule: 'isNotEmpty' },
    { name: 'a name of spaces only', send: reg({ fullName: '   ' }), status: 400, field: 'fullName', rule: 'isNotEmpty' },
    { name: 'a name holding a NUL character', send: reg({ fullName: 'Nguyễn\u0000Hà' }), status: 400, field: 'fullName', rule: 'INVALID_CHARACTERS' },
    {
      name: 'a name holding half a character (a lone surrogate)',
      send: reg({ fullName: '\ud800Hà' }),
      status: 400,
      field: 'fullName',
      rule: 'INVALID_CHARACTERS',
    },
    {
      name: 'a correction reason holding an escape character',
      send: post(() => `/children/${child}/corrections`, { changes: { fullName: 'Lê Thị Hoa' }, reason: 'typo\u001b[2J' }),
      status: 400,
      field: 'reason',
      rule: 'INVALID_CHARACTERS',
    },
    { name: 'a name of 201 characters', send: reg({ fullName: 'Nguyễn '.repeat(29).slice(0, 201) + 'A' }), status: 400, field: 'fullName', rule: 'maxLength' },
    { name: "a mother's name of 300 characters", send: reg({ motherName: 'Trần Thị '.repeat(34) }), status: 400, field: 'motherName', rule: 'maxLength' },
    { name: 'notes of 4001 characters', send: reg({ notes: 'a'.repeat(4001) }), status: 400, field: 'notes', rule: 'maxLength' },
    { name: 'a child id that is not a UUID', send: reg({ childId: 'child-1' }), status: 400, field: 'childId', rule: 'isUuid' },
    // -- dates
    { name: 'an impossible date (30 February)', send: reg({ dateOfBirth: '2016-02-30' }), status: 400, field: 'dateOfBirth', rule: 'isCalendarDate' },
    { name: 'a date in dd/mm/yyyy', send: reg({ dateOfBirth: '14/03/2016' }), status: 400, field: 'dateOfBirth', rule: 'isCalendarDate' },
    {
      name: 'a date of birth in the future',
      send: reg({ dateOfBirth: '2099-01-01', personalId: undefined }),
      status: 422,
      field: 'dateOfBirth',
      rule: 'DATE_IN_FUTURE',
    },
    {
      name: 'a residence starting in the future',
      send: reg({ residence: { communeCode: BA_DINH, effectiveFrom: '2099-01-01' } }),
      status: 422,
      field: 'residence.effectiveFrom',
      rule: 'DATE_IN_FUTURE',
    },
    {
      name: 'a residence starting before birth',
      send: reg({ residence: { communeCode: BA_DINH, effectiveFrom: '2015-12-31' } }),
      status: 422,
      field: 'residence.effectiveFrom',
      rule: 'DATE_BEFORE_BIRTH',
    },
    {
      name: 'a 16-year-old (16 today)',
      send: reg({ dateOfBirth: yearsAgo(16), personalId: undefined, residence: { communeCode: BA_DINH, effectiveFrom: today } }),
      status: 422,
      field: 'dateOfBirth',
      rule: 'CHILD_TOO_OLD',
    },
    // -- personal IDs
    { name: 'a personal ID of 11 digits', send: reg({ personalId: '01316012345' }), status: 400, field: 'personalId', rule: 'matches' },
    { name: 'a personal ID with letters', send: reg({ personalId: '00131601234A' }), status: 400, field: 'personalId', rule: 'matches' },
    {
      name: 'a personal ID with an unknown province code',
      send: reg({ personalId: '099316012345' }),
      status: 422,
      field: 'personalId',
      rule: 'INVALID_PERSONAL_ID',
    },
    {
      name: 'a personal ID inconsistent with the birth year',
      send: reg({ personalId: '001315012345' }),
      status: 422,
      field: 'personalId',
      rule: 'INVALID_PERSONAL_ID',
    },
    { name: 'a personal ID inconsistent with the sex', send: reg({ sex: 'M' }), status: 422, field: 'personalId', rule: 'INVALID_PERSONAL_ID' },
    // -- communes
    {
      name: 'a commune code that is not 5 digits',
      send: reg({ residence: { communeCode: 'ABCDE', effectiveFrom: '2025-09-01' } }),
      status: 400,
      field: 'residence.communeCode',
      rule: 'matches',
    },
    {
      name: 'an unknown commune code',
      send: reg({ residence: { communeCode: '99999', effectiveFrom: '2025-09-01' } }),
      status: 422,
      field: 'residence.communeCode',
      rule: 'UNKNOWN_COMMUNE',
    },
    {
      name: 'an old commune code after the 2025 reorganisation',
      send: reg({ residence: { communeCode: '00001', effectiveFrom: '2025-09-01' } }),
      status: 422,
      field: 'residence.communeCode',
      rule: 'UNKNOWN_COMMUNE',
    },
    // -- authentication, roles, jurisdiction
    { name: 'no token', send: reg({}, 'none'), status: 401, field: 'Authorization', rule: 'AUTHENTICATION' },
    {
      name: 'a malformed token',
      send: post(() => '/children', registration(), 'none', { authorization: 'Bearer not.a.token' }),
      status: 401,
      field: 'Authorization',
      rule: 'AUTHENTICATION',
    },
    {
      name: 'a token from another issuer',
      send: async () => {
        const token = await api.auth.tokenFor({ role: 'admin' }, { issuer: 'urn:someone-else' });
        return api.post('/children', registration(), 'none', { authorization: `Bearer ${token}` });
      },
      status: 401,
      field: 'Authorization',
      rule: 'AUTHENTICATION',
    },
    { name: 'an inspector registering', send: reg({}, 'provinceInspector'), status: 403, field: null, rule: 'ROLE' },
    { name: 'a case worker registering', send: reg({}, 'provinceCaseWorker'), status: 403, field: null, rule: 'ROLE' },
    {
      name: 'a data officer erasing personal data',
      send: post(() => `/children/${child}/erasure`, { reason: 'request' }),
      status: 403,
      field: null,
      rule: 'ROLE',
    },
    {
      name: 'a data officer opening a case',
      send: post(
        () => '/cases',
        () => ({ childId: child, channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: new Date().toISOString() }),
      ),
      status: 403,
      field: null,
      rule: 'ROLE',
    },
    {
      name: 'a commune officer registering in another commune',
      send: reg({ personalId: undefined, residence: { communeCode: NGOC_HA, effectiveFrom: '2025-09-01' } }),
      status: 403,
      field: null,
      rule: 'JURISDICTION',
    },
    {
      name: 'a commune officer registering in another province',
      send: reg({ personalId: undefined, residence: { communeCode: THU_DAU_MOT, effectiveFrom: '2025-09-01' } }),
      status: 403,
      field: null,
      rule: 'JURISDICTION',
    },
    {
      name: "a commune officer recording a circumstance of another province's child",
      send: post(() => `/children/${farChild}/special-circumstances`, { group: 4, effectiveFrom: '2025-09-01' }),
      status: 404,
      field: 'childId',
      rule: 'CHILD_NOT_FOUND',
    },
    {
      name: "a province case worker opening a case for another province's child",
      send: post(
        () => '/cases',
        () => ({ childId: farChild, channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: new Date().toISOString() }),
        'provinceCaseWorker',
      ),
      status: 404,
      field: 'childId',
      rule: 'CHILD_NOT_FOUND',
    },
    {
      name: 'a commune officer moving a child who lives elsewhere',
      send: post(() => `/children/${farChild}/residence-changes`, { communeCode: BA_DINH, effectiveFrom: '2025-10-01' }),
      status: 404,
      field: 'childId',
      rule: 'CHILD_NOT_FOUND',
    },
    // -- unknown records and ids
    {
      name: 'a correction of an unknown child',
      send: post(() => `/children/${randomUUID()}/corrections`, { changes: { fullName: 'Lê Thị Hoa' }, reason: 'typo' }),
      status: 404,
      field: 'childId',
      rule: 'CHILD_NOT_FOUND',
    },
    {
      name: 'a child id in the path that is not a UUID',
      send: post(() => '/children/42/corrections', { changes: { fullName: 'Lê Thị Hoa' }, reason: 'typo' }),
      status: 400,
      field: 'childId',
      rule: 'isUuid',
    },
    {
      name: 'an assessment of an unknown case',
      send: post(() => `/cases/${randomUUID()}/assessment`, { riskLevel: 'high' }, 'provinceCaseWorker'),
      status: 404,
      field: 'caseId',
      rule: 'CASE_NOT_FOUND',
    },
    {
      name: 'a case for an unregistered child',
      send: post(
        () => '/cases',
        { childId: randomUUID(), channel: 'police', concern: 'trafficking', protectionLevel: 'intervention', reportedAt: new Date().toISOString() },
        'provinceCaseWorker',
      ),
      status: 404,
      field: 'childId',
      rule: 'CHILD_NOT_FOUND',
    },
    // -- command rules
    {
      name: 'a correction without a reason',
      send: post(() => `/children/${child}/corrections`, { changes: { fullName: 'Nguyễn Thị Hà' } }),
      status: 400,
      field: 'reason',
      rule: 'isString',
    },
    {
      name: 'a correction that changes nothing',
      send: post(() => `/children/${child}/corrections`, { changes: { fullName: 'Nguyễn Thị Thu Hà' }, reason: 'check' }),
      status: 422,
      field: 'changes',
      rule: 'NOTHING_TO_CHANGE',
    },
    {
      name: 'a correction of an unknown field',
      send: post(() => `/children/${child}/corrections`, { changes: { nickname: 'Na' }, reason: 'typo' }),
      status: 400,
      field: 'changes.nickname',
      rule: 'whitelistValidation',
    },
    {
      name: 'a correction removing the name (null)',
      send: post(() => `/children/${child}/corrections`, { changes: { fullName: null }, reason: 'typo' }),
      status: 400,
      field: 'changes.fullName',
      rule: 'isString',
    },
    {
      name: 'ending a circumstance that is not active',
      send: post(() => `/children/${child}/special-circumstances/5/end`, { effectiveTo: '2025-10-01' }),
      status: 409,
      field: 'group',
      rule: 'CIRCUMSTANCE_NOT_ACTIVE',
    },
    {
      name: 'group 15',
      send: post(() => `/children/${child}/special-circumstances`, { group: 15, effectiveFrom: '2025-09-01' }),
      status: 400,
      field: 'group',
      rule: 'max',
    },
    {
      name: 'a group in the path that is not a number',
      send: post(() => `/children/${child}/risks/abc/resolve`, { effectiveTo: '2025-10-01', outcome: 'removed_from_risk' }),
      status: 400,
      field: 'group',
      rule: 'isInt',
    },
    {
      name: 'a circumstance dated before birth',
      send: post(() => `/children/${child}/special-circumstances`, { group: 1, effectiveFrom: '2010-01-01' }),
      status: 422,
      field: 'effectiveFrom',
      rule: 'DATE_BEFORE_BIRTH',
    },
    { name: 'an empty child id', send: reg({ childId: '' }), status: 400, field: 'childId', rule: 'isUuid' },
    {
      name: 'registering a child id that exists',
      send: () => api.post('/children', registration({ childId: child })),
      status: 409,
      field: 'childId',
      rule: 'CHILD_ALREADY_REGISTERED',
    },
    {
      name: 'linking a national ID that contradicts the record',
      send: post(() => `/children/${child}/national-id`, { personalId: '001216012345' }),
      status: 422,
      field: 'personalId',
      rule: 'INVALID_PERSONAL_ID',
    },
    {
      name: 'a match score above 1',
      send: post(() => `/children/${child}/national-id`, { personalId: '001316012345', matchScore: 2 }),
      status: 400,
      field: 'matchScore',
      rule: 'max',
    },
    {
      name: 'unlinking when nothing is linked',
      send: post(() => `/children/${child}/national-id/unlink`, { reason: 'wrong person' }),
      status: 409,
      field: 'personalId',
      rule: 'NATIONAL_ID_NOT_LINKED',
    },
    {
      name: 'merging a record into itself',
      send: post(
        () => `/children/${child}/merge`,
        () => ({ survivingChildId: child, reason: 'duplicate' }),
      ),
      status: 422,
      field: 'survivingChildId',
      rule: 'CANNOT_MERGE_INTO_ITSELF',
    },
    {
      name: 'merging into an unknown record',
      send: post(() => `/children/${child}/merge`, { survivingChildId: randomUUID(), reason: 'duplicate' }),
      status: 404,
      field: 'survivingChildId',
      rule: 'CHILD_NOT_FOUND',
    },
    {
      name: 'reverting a merge that did not happen',
      send: post(() => `/children/${child}/merge/revert`, { reason: 'mistake' }),
      status: 409,
      field: 'childId',
      rule: 'RECORD_NOT_MERGED',
    },
    {
      name: 'a report time without a zone',
      send: post(
        () => '/cases',
        () => ({ childId: child, channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: '2026-01-05T08:00:00' }),
        'provinceCaseWorker',
      ),
      status: 400,
      field: 'reportedAt',
      rule: 'isInstant',
    },
    {
      name: 'a report in the future',
      send: post(
        () => '/cases',
        () => ({ childId: child, channel: 'school', concern: 'neglect', protectionLevel: 'support', reportedAt: '2099-01-05T08:00:00Z' }),
        'provinceCaseWorker',
      ),
      status: 422,
      field: 'reportedAt',
      rule: 'DATE_IN_FUTURE',
    },
    {
      name: 'an unknown report channel',
      send: post(
        () => '/cases',
        () => ({ childId: child, channel: 'fax', concern: 'neglect', protectionLevel: 'support', reportedAt: new Date().toISOString() }),
        'provinceCaseWorker',
      ),
      status: 400,
      field: 'channel',
      rule: 'isIn',
    },
    {
      name: 'delivering an intervention before any assessment',
      send: post(() => `/cases/${caseId}/interventions/${randomUUID()}/deliveries`, { deliveredOn: today }, 'provinceCaseWorker'),
      status: 409,
      field: 'caseId',
      rule: 'ILLEGAL_TRANSITION',
    },
    {
      name: 'closing a case that was never assessed',
      send: post(() => `/cases/${caseId}/closure`, { outcome: 'goals_met' }, 'provinceCaseWorker'),
      status: 409,
      field: 'caseId',
      rule: 'ILLEGAL_TRANSITION',
    },
    // -- reads of personal data (the read policy): a purpose, the case-content roles, and unknown = outside the jurisdiction
    { name: 'reading a child without a purpose', send: read(() => `/children/${child}`), status: 400, field: 'purpose', rule: 'PURPOSE_REQUIRED' },
    { name: 'reading a child with an empty purpose', send: read(() => `/children/${child}?purpose=`), status: 400, field: 'purpose', rule: 'PURPOSE_REQUIRED' },
    {
      name: 'reading a child with a purpose not in the list',
      send: read(() => `/children/${child}?purpose=curiosity`),
      status: 400,
      field: 'purpose',
      rule: 'PURPOSE_UNKNOWN',
    },
    {
      name: 'reading a child with an unknown X-Purpose',
      send: read(() => `/children/${child}`, undefined, { 'x-purpose': 'gossip' }),
      status: 400,
      field: 'purpose',
      rule: 'PURPOSE_UNKNOWN',
    },
    {
      name: 'reading a case without a purpose',
      send: read(() => `/cases/${caseId}`, 'provinceCaseWorker'),
      status: 400,
      field: 'purpose',
      rule: 'PURPOSE_REQUIRED',
    },
    {
      name: 'reading a case with a purpose not in the list',
      send: read(() => `/cases/${caseId}`, 'provinceCaseWorker', { 'x-purpose': 'Case_Work' }),
      status: 400,
      field: 'purpose',
      rule: 'PURPOSE_UNKNOWN',
    },
    {
      name: "a data officer reading a case's content",
      send: read(() => `/cases/${caseId}`, 'communeOfficer', { 'x-purpose': 'case_work' }),
      status: 403,
      field: null,
      rule: 'ROLE',
    },
    {
      name: "a commune officer reading another province's child (answered as unknown)",
      send: read(() => `/children/${farChild}`, 'communeOfficer', { 'x-purpose': 'data_correction' }),
      status: 404,
      field: 'childId',
      rule: 'CHILD_NOT_FOUND',
    },
    {
      name: 'reading an unknown child',
      send: read(() => `/children/${randomUUID()}`, 'communeOfficer', { 'x-purpose': 'data_correction' }),
      status: 404,
      field: 'childId',
      rule: 'CHILD_NOT_FOUND',
    },
    {
      name: 'reading an unknown case',
      send: read(() => `/cases/${randomUUID()}`, 'provinceCaseWorker', { 'x-purpose': 'case_work' }),
      status: 404,
      field: 'caseId',
      rule: 'CASE_NOT_FOUND',
    },
    {
      name: 'reading a child id that is not a UUID',
      send: read(() => '/children/42', 'communeOfficer', { 'x-purpose': 'data_correction' }),
      status: 400,
      field: 'childId',
      rule: 'isUuid',
    },
    // -- headers
    {
      name: 'an If-Match that is not a revision',
      send: post(() => `/children/${child}/special-circumstances`, { group: 4, effectiveFrom: '2025-09-01' }, undefined, { 'if-match': 'yesterday' }),
      status: 400,
      field: 'If-Match',
      rule: 'isRevisionTag',
    },
    {
      name: 'a stale If-Match',
      send: post(() => `/children/${child}/special-circumstances`, { group: 4, effectiveFrom: '2025-09-01' }, undefined, { 'if-match': '"7"' }),
      status: 409,
      field: 'If-Match',
      rule: 'VERSION_CONFLICT',
    },
    {
      name: 'an Idempotency-Key with spaces',
      send: post(() => `/children/${child}/special-circumstances`, { group: 4, effectiveFrom: '2025-09-01' }, undefined, { 'idempotency-key': 'my key' }),
      status: 400,
      field: 'Idempotency-Key',
      rule: 'isIdempotencyKey',
    },
  ];

  it('has at least 40 entries', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(40);
  });

  const readAuditCount = async () => Number((await api.owner.query<{ n: string }>('SELECT count(*) AS n FROM read_audit')).rows[0]!.n);

  it.each(catalogue.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await api.eventCount();
    const readsBefore = await readAuditCount();
    const res = await c.send();
    expect({ status: res.status, body: res.body }).toMatchObject({ status: c.status, body: { statusCode: c.status } });
    const errors = (res.body as { errors?: { field: string | null; rule: string }[] }).errors ?? [];
    expect(errors).toContainEqual(expect.objectContaining({ field: c.field, rule: c.rule }));
    expect(await api.eventCount()).toBe(before);
    // A refused read is not a read: nothing in the read audit either.
    expect(await readAuditCount()).toBe(readsBefore);
  });
});
