import { Card, Typography } from 'antd';
import { ReactNode, useEffect } from 'react';

/** A screen's frame: its title as the page's one h1 (and the window's title), then its content. */
export function Page({ title, intro, children }: { title: string; intro?: string; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · ChildLedger`;
  }, [title]);
  return (
    <Card>
      <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }}>
        {title}
      </Typography.Title>
      {intro && <Typography.Paragraph type="secondary">{intro}</Typography.Paragraph>}
      {children}
    </Card>
  );
}
