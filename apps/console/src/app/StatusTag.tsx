import { Tag } from 'antd';
import type { ReactNode } from 'react';

/**
 * A coloured tag whose text meets the 4.5:1 contrast rule (WCAG 2.1 AA): antd's preset green, gold
 * and orange tags fall under it (3.37:1 and less at 12 px), so the console's tags take these tones.
 */
const TONES = {
  good: { color: '#237804', background: '#f6ffed', borderColor: '#b7eb8f' },
  warning: { color: '#874d00', background: '#fffbe6', borderColor: '#ffe58f' },
  bad: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' },
} as const;

export type Tone = keyof typeof TONES | 'neutral';

export function StatusTag({ tone, children }: { tone: Tone; children: ReactNode }) {
  return tone === 'neutral' ? <Tag>{children}</Tag> : <Tag style={TONES[tone]}>{children}</Tag>;
}
