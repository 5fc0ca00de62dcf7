// The creator page's commission: what the creator has earned to date (base currency) and the latest
// ledger entries, each leading to its order; the whole list is one click away on the commissions page.
import { useQuery } from '@tanstack/react-query'
import { Alert, Card, Flex, Statistic, Table, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { listCommissions } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import type { LedgerEntry } from '../../api/types'
import { useMe } from '../../auth/session'
import { TABLE_SCROLL } from '../../campaigns/shared'
import { NextStep } from '../../components/NextStep'
import { earnings } from '../../creators/earnings'
import { formatMoney } from '../../money'
import { formatInZone } from '../../orders/format'
import { BaseAmount, EntryKindTag, orderKeys } from '../../orders/shared'

/** The server's largest page: the sum covers this many entries (a note says so when there are more). */
const SUM_LIMIT = 500
const SHOWN = 10

export function CreatorCommissionCard({ creatorId }: { creatorId: string }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const me = useMe().data
  const base = me?.org.base_currency
  const zone = me?.org.timezone
  const list = useQuery({
    queryKey: [...orderKeys.commissions, 'creator', creatorId],
    queryFn: () => listCommissions({ creator_id: creatorId, limit: SUM_LIMIT }),
  })
  const items = list.data?.items ?? []
  const sum = earnings(items)
  const partial = !!list.data?.next_cursor
  const allLink = `/commissions?creator_id=${encodeURIComponent(creatorId)}`

  return (
    <Card
      title={t('creators.earnings.title')}
      data-testid="creator-commission"
      extra={
        items.length > 0 && (
          <Link to={allLink} data-testid="creator-commission-all">
            {t('creators.earnings.all', { count: list.data?.total ?? items.length })}
          </Link>
        )
      }
    >
      {list.isError && <Alert type="error" showIcon title={errorMessage(list.error, t)} style={{ marginBottom: 12 }} />}
      {list.isSuccess && items.length === 0 ? (
        <NextStep
          testid="creator-commission-empty"
          title={t('creators.earnings.empty')}
          hint={t('creators.earnings.emptyHint')}
          actions={<Link to="/orders">{t('nav.orders')}</Link>}
        />
      ) : (
        <>
          <Flex gap={24} wrap align="flex-end" style={{ marginBottom: 12 }}>
            <Statistic
              title={
                <span title={base ? t('creators.earnings.totalHint', { currency: base }) : undefined}>{t('creators.earnings.total')}</span>
              }
              loading={list.isPending || !base}
              valueRender={() => <span data-testid="creator-commission-total">{base ? formatMoney(sum.base_minor, base, lang) : ''}</span>}
            />
            {partial && <Typography.Text type="secondary">{t('creators.earnings.partial', { count: SUM_LIMIT })}</Typography.Text>}
            {sum.missing > 0 && (
              <Typography.Text type="warning" data-testid="creator-commission-fx-missing">
                {t('creators.earnings.fxMissing', { count: sum.missing })}
              </Typography.Text>
            )}
          </Flex>
          <Table<LedgerEntry>
            rowKey="id"
            size="small"
            loading={list.isPending}
            dataSource={items.slice(0, SHOWN)}
            pagination={false}
            scroll={TABLE_SCROLL}
            onRow={() => ({ 'data-testid': 'creator-commission-row' }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              { title: t('commissions.kind'), dataIndex: 'kind', render: (k: LedgerEntry['kind']) => <EntryKindTag kind={k} /> },
              {
                title: t('commissions.amount'),
                key: 'amount',
                align: 'right',
                render: (_, e) => (
                  <span style={{ whiteSpace: 'nowrap' }} data-testid="commission-amount">
                    {formatMoney(e.amount_minor, e.currency, lang)}
                  </span>
                ),
              },
              {
                title: t('commissions.baseAmount'),
                key: 'base',
                align: 'right',
                render: (_, e) => <BaseAmount minor={e.base_amount_minor} currency={e.base_currency} missing={e.fx_missing} />,
              },
              { title: t('commissions.period'), dataIndex: 'period', render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{v}</span> },
              {
                title: t('commissions.order'),
                dataIndex: 'conversion_id',
                render: (id: string | null) =>
                  id ? (
                    <Link to={`/orders?open=${encodeURIComponent(id)}`} data-testid="commission-order">
                      {t('commissions.openOrder')}
                    </Link>
                  ) : (
                    '—'
                  ),
              },
              {
                title: t('commissions.createdAt'),
                dataIndex: 'created_at',
                render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatInZone(v, lang, zone)}</span>,
              },
            ]}
          />
        </>
      )}
    </Card>
  )
}
