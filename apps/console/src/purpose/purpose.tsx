import { Button, Card, Radio, Space, Typography } from 'antd';
import { createContext, ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Why personal data is read (the APIs' `purpose`); stated by the person, never a hidden default. */
export const PURPOSES = ['case_work', 'reconciliation', 'inspection', 'statistics', 'data_correction'] as const;
export type Purpose = (typeof PURPOSES)[number];

const STORAGE_KEY = 'childledger.purposes';

interface PurposeState {
  purposeOf(record: string): Purpose | undefined;
  choose(record: string, purpose: Purpose): void;
}

const PurposeContext = createContext<PurposeState | null>(null);

function load(storage: Storage): Record<string, Purpose> {
  try {
    const saved = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}') as Record<string, string>;
    return Object.fromEntries(Object.entries(saved).filter((e): e is [string, Purpose] => (PURPOSES as readonly string[]).includes(e[1])));
  } catch {
    return {};
  }
}

/** The purposes stated in this tab's session, per record (or per screen, for a search). */
export function PurposeProvider({ children, storage = window.sessionStorage }: { children: ReactNode; storage?: Storage }) {
  const [purposes, setPurposes] = useState<Record<string, Purpose>>(() => load(storage));
  const choose = useCallback(
    (record: string, purpose: Purpose) =>
      setPurposes((current) => {
        const next = { ...current, [record]: purpose };
        storage.setItem(STORAGE_KEY, JSON.stringify(next));
        return next;
      }),
    [storage],
  );
  const value = useMemo<PurposeState>(() => ({ purposeOf: (record) => purposes[record], choose }), [purposes, choose]);
  return <PurposeContext.Provider value={value}>{children}</PurposeContext.Provider>;
}

/** The purpose stated for `record` in this session (undefined until the person states one). */
export function usePurpose(record: string): { purpose: Purpose | undefined; choose(purpose: Purpose): void } {
  const state = useContext(PurposeContext);
  if (!state) throw new Error('usePurpose outside PurposeProvider');
  return { purpose: state.purposeOf(record), choose: (p) => state.choose(record, p) };
}

/**
 * Asks once, before personal data is shown, why the person reads it; remembers the answer for the
 * session and the record, and hands it to `children` (which sends it with each read: the API
 * records it in the read audit).
 */
export function PurposeGate({
  record,
  allowed = PURPOSES,
  children,
}: {
  record: string;
  allowed?: readonly Purpose[];
  children: (purpose: Purpose) => ReactNode;
}) {
  const { t } = useTranslation();
  const { purpose, choose } = usePurpose(record);
  const [picked, setPicked] = useState<Purpose | undefined>(allowed.length === 1 ? allowed[0] : undefined);
  if (purpose) return <>{children(purpose)}</>;
  return (
    <Card role="region" aria-labelledby="purpose-gate-title">
      <Typography.Title level={2} id="purpose-gate-title" style={{ fontSize: 18, marginTop: 0 }}>
        {t('purposeGate.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('purposeGate.intro')}</Typography.Paragraph>
      <Space direction="vertical">
        <Radio.Group aria-label={t('terms.purpose.label')} value={picked} onChange={(e) => setPicked(e.target.value as Purpose)}>
          <Space direction="vertical">
            {allowed.map((p) => (
              <Radio key={p} value={p}>
                {t(`terms.purpose.${p}`)}
              </Radio>
            ))}
          </Space>
        </Radio.Group>
        <Button type="primary" disabled={!picked} onClick={() => picked && choose(picked)}>
          {t('purposeGate.show')}
        </Button>
      </Space>
    </Card>
  );
}
