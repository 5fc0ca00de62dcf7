import { ExclamationCircleOutlined, LockOutlined, UnlockOutlined } from '@ant-design/icons'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Flex, Form, Input, Modal, Space, Table, Tag, Typography } from 'antd'
import type { ButtonProps } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { errorMessage } from '../../api/errors'
import { TABLE_SCROLL } from '../../campaigns/shared'
import { closePeriod, financeKeys, reopenPeriod, type Period } from '../../finance/api'
import { addMonths, hasEnded } from '../../finance/format'
import { PeriodStatusTag, useFinanceRights, usePeriods } from '../../finance/shared'
import { formatInZone } from '../../orders/format'
import { useOrgZone } from '../../orders/shared'

/** The months with entries, last month and this one: close a month that has ended; owners re-open one. */
export function PeriodsTab() {
  const { t, i18n } = useTranslation()
  const zone = useOrgZone()
  const rights = useFinanceRights()
  const periods = usePeriods()
  const [closing, setClosing] = useState<string | null>(null)
  const [reopening, setReopening] = useState<string | null>(null)
  const current = periods.data?.current
  const items: Period[] = [...(periods.data?.items ?? [])]
  // Last month can be closed even when it has no entries: list it.
  if (current) {
    const last = addMonths(current, -1)
    if (!items.some((p) => p.period === last)) {
      items.push({ period: last, status: 'open', entries: 0, closed_at: null, closed_by: null })
      items.sort((a, b) => (a.period < b.period ? 1 : -1))
    }
  }
  const lastOpen = current ? items.find((p) => p.period === addMonths(current, -1) && p.status === 'open') : undefined

  return (
    <>
      <Typography.Paragraph type="secondary">{t('periods.intro')}</Typography.Paragraph>
      {lastOpen && rights.close && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('periods.lastOpen', { period: lastOpen.period })}
          action={
            <Button size="small" type="primary" onClick={() => setClosing(lastOpen.period)} data-testid="period-close-last">
              {t('periods.close')}
            </Button>
          }
        />
      )}
      {periods.isError && <Alert type="error" showIcon title={errorMessage(periods.error, t)} style={{ marginBottom: 12 }} />}
      <Table<Period>
        rowKey="period"
        size="middle"
        data-testid="periods-table"
        loading={periods.isFetching}
        dataSource={items}
        pagination={items.length > 24 ? { pageSize: 24 } : false}
        scroll={TABLE_SCROLL}
        onRow={(p) => ({ 'data-testid': `period-row-${p.period}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('periods.period'),
            dataIndex: 'period',
            render: (v: string) => (
              <Space size={4} wrap={false}>
                <strong style={{ whiteSpace: 'nowrap' }}>{v}</strong>
                {v === current && <Tag color="processing">{t('periods.current')}</Tag>}
              </Space>
            ),
          },
          { title: t('periods.status'), dataIndex: 'status', render: (s: Period['status']) => <PeriodStatusTag status={s} /> },
          { title: t('periods.entries'), dataIndex: 'entries', align: 'right', render: (n: number) => <span data-testid="period-entries">{n}</span> },
          {
            title: t('periods.closedAt'),
            dataIndex: 'closed_at',
            render: (v: string | null) => <span style={{ whiteSpace: 'nowrap' }}>{v ? formatInZone(v, i18n.language, zone) : '—'}</span>,
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_, p) => (
              <Space wrap size={4}>
                {p.status === 'open' && rights.close && current && hasEnded(p.period, current) && (
                  <Button size="small" type="primary" icon={<LockOutlined />} onClick={() => setClosing(p.period)} data-testid="period-close">
                    {t('periods.close')}
                  </Button>
                )}
                {p.status === 'open' && current && !hasEnded(p.period, current) && (
                  <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
                    {t('periods.notEnded')}
                  </Typography.Text>
                )}
                {p.status === 'closed' && rights.reopen && (
                  <Button size="small" icon={<UnlockOutlined />} onClick={() => setReopening(p.period)} data-testid="period-reopen">
                    {t('periods.reopen')}
                  </Button>
                )}
                {rights.reports && (
                  <Link to={`/reports?period=${p.period}`} data-testid="period-statements">
                    {t('periods.statements')}
                  </Link>
                )}
                {p.status === 'closed' && rights.payouts && (
                  <Link to={`/payouts?tab=batches&period=${p.period}`} data-testid="period-payouts">
                    {t('periods.payouts')}
                  </Link>
                )}
              </Space>
            ),
          },
        ]}
      />
      <CloseModal period={closing} onClose={() => setClosing(null)} />
      <ReopenModal period={reopening} onClose={() => setReopening(null)} />
    </>
  )
}

/** Says what closing locks before doing it. */
function CloseModal({ period, onClose }: { period: string | null; onClose: () => void }) {
  const { t } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const close = useMutation({
    mutationFn: (p: string) => closePeriod(p),
    onSuccess: (p) => {
      message.success(t('periods.closed', { period: p.period }))
      void queryClient.invalidateQueries({ queryKey: financeKeys.periods })
      void queryClient.invalidateQueries({ queryKey: financeKeys.statements })
      onClose()
    },
  })
  const points = ['lockEntries', 'lateEntries', 'lockRates', 'payouts', 'reopen'] as const
  return (
    <Modal
      open={period !== null}
      title={
        <Space>
          <ExclamationCircleOutlined style={{ color: '#faad14' }} />
          {t('periods.closeTitle', { period })}
        </Space>
      }
      onCancel={() => {
        close.reset()
        onClose()
      }}
      destroyOnHidden
      footer={
        <Flex gap={8} justify="flex-end" wrap>
          <Button
            onClick={() => {
              close.reset()
              onClose()
            }}
            data-testid="period-close-cancel"
          >
            {t('common.cancel')}
          </Button>
          <Button type="primary" danger icon={<LockOutlined />} loading={close.isPending} onClick={() => period && close.mutate(period)} data-testid="period-close-confirm">
            {t('periods.closeConfirm', { period })}
          </Button>
        </Flex>
      }
    >
      <div data-testid="period-close-dialog">
        <Typography.Paragraph>{t('periods.closeLead', { period })}</Typography.Paragraph>
        <ul style={{ paddingInlineStart: 20 }}>
          {points.map((k) => (
            <li key={k}>{t(`periods.closeMeans.${k}`, { period, next: period ? addMonths(period, 1) : '' })}</li>
          ))}
        </ul>
        {close.isError && <Alert type="error" showIcon title={errorMessage(close.error, t)} data-testid="period-close-error" />}
      </div>
    </Modal>
  )
}

/** Owners only: a closed month opens again, with the reason written to the audit log. */
function ReopenModal({ period, onClose }: { period: string | null; onClose: () => void }) {
  const { t } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const [form] = Form.useForm<{ reason: string }>()
  const reopen = useMutation({
    mutationFn: ({ p, reason }: { p: string; reason: string }) => reopenPeriod(p, reason),
    onSuccess: (p) => {
      message.success(t('periods.reopened', { period: p.period }))
      void queryClient.invalidateQueries({ queryKey: financeKeys.periods })
      void queryClient.invalidateQueries({ queryKey: financeKeys.statements })
      done()
    },
  })
  const done = () => {
    reopen.reset()
    form.resetFields()
    onClose()
  }
  return (
    <Modal
      open={period !== null}
      title={t('periods.reopenTitle', { period })}
      onCancel={done}
      destroyOnHidden
      okText={t('periods.reopen')}
      okButtonProps={{ loading: reopen.isPending, danger: true, 'data-testid': 'period-reopen-confirm' } as ButtonProps}
      onOk={() => form.submit()}
    >
      <Typography.Paragraph type="secondary">{t('periods.reopenHelp')}</Typography.Paragraph>
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => period && reopen.mutate({ p: period, reason: v.reason.trim() })}>
        <Form.Item
          name="reason"
          label={t('periods.reason')}
          rules={[{ required: true, whitespace: true, message: t('periods.reasonRequired') }, { max: 500 }]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount data-testid="period-reopen-reason" />
        </Form.Item>
      </Form>
      {reopen.isError && <Alert type="error" showIcon title={errorMessage(reopen.error, t)} data-testid="period-reopen-error" />}
    </Modal>
  )
}
