import { Card, Flex, Typography } from 'antd'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { LanguageSelect } from './LanguageSelect'

/** The frame of the pages shown before sign-in (setup, login). */
export function AuthShell(props: { title: string; subtitle: string; testId: string; width?: number; children: ReactNode }) {
  const { t } = useTranslation()
  return (
    <Flex vertical align="center" style={{ minHeight: '100vh', padding: '48px 16px', background: '#f5f5f5' }}>
      <Flex justify="space-between" align="center" style={{ width: '100%', maxWidth: props.width ?? 420, marginBottom: 16 }}>
        <Typography.Text strong style={{ fontSize: 18 }}>
          {t('app.name')}
        </Typography.Text>
        <LanguageSelect />
      </Flex>
      <Card style={{ width: '100%', maxWidth: props.width ?? 420 }} data-testid={props.testId}>
        <Typography.Title level={3} style={{ marginTop: 0 }} data-testid="page-title">
          {props.title}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{props.subtitle}</Typography.Paragraph>
        {props.children}
      </Card>
    </Flex>
  )
}
