import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { Alert, Button, Card, Descriptions, Flex, Input, Select, Table, Tag, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useSearchParams } from 'react-router'
import { listUsers } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import { queryKeys, useCan, useMe } from '../../auth/session'
import { TABLE_SCROLL } from '../../campaigns/shared'
import { NextStep } from '../../components/NextStep'
import { financeKeys, listAuditLog, type AuditEntry } from '../../finance/api'
import { AUDIT_ACTIONS, detailRows } from '../../finance/format'
import { currentSearch } from '../../finance/shared'
import { formatInZone } from '../../orders/format'
import { useOrgZone } from '../../orders/shared'

/** The key of an action's label: "period.close" → audit.actions.period_close. */
const actionKey = (action: string) => `audit.actions.${action.replace(/\./g, '_')}`

/** /audit-log (审计日志): who did what and when, with the before and after of each change. */
export default function AuditLogPage() {
  const { t, i18n } = useTranslation()
  const zone = useOrgZone()
  const me = useMe().data
  const can = useCan()
  const [params, setParams] = useSearchParams()
  const action = params.get('action') ?? ''
  const target = params.get('target_id') ?? ''
  const [targetText, setTargetText] = useState(target)
  useEffect(() => setTargetText(target), [target])
  const setFilter = (k: 'action' | 'target_id', v: string) => {
    const next = currentSearch()
    if (v.trim()) next.set(k, v.trim())
    else next.delete(k)
    setParams(next)
  }
  const actionLabel = (a: string) => t(actionKey(a), { defaultValue: a })

  const list = useInfiniteQuery({
    queryKey: [...financeKeys.audit, action, target],
    queryFn: ({ pageParam }) => listAuditLog({ action: action || undefined, target_id: target || undefined, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  })
  // Names of the users, for those who may list them; the others see "you" or the id.
  const users = useQuery({ queryKey: [...queryKeys.users, 'all'], queryFn: () => listUsers(), enabled: can('users:manage'), staleTime: 60_000 })
  const who = (e: AuditEntry) => {
    if (e.actor_kind === 'system' || !e.actor_id) return t('audit.system')
    if (e.actor_kind === 'api_key') return t('audit.apiKey', { id: e.actor_id.slice(-8) })
    if (me && e.actor_id === me.user.id) return t('audit.you', { name: me.user.name })
    const u = users.data?.items.find((x) => x.id === e.actor_id)
    return u ? `${u.name} <${u.email}>` : t('audit.user', { id: e.actor_id.slice(-8) })
  }
  const items = list.data?.pages.flatMap((p) => p.items) ?? []
  const total = list.data?.pages[0]?.total
  const filtered = action !== '' || target !== ''

  return (
    <Card data-testid="page-audit" title={<span data-testid="page-title">{t('nav.audit')}</span>}>
      <Typography.Paragraph type="secondary">{t('audit.intro')}</Typography.Paragraph>
      <Flex gap={8} wrap style={{ marginBottom: 12 }} data-testid="audit-filters">
        <Select
          allowClear
          style={{ minWidth: 240, maxWidth: '100%' }}
          value={action || undefined}
          placeholder={t('audit.action')}
          showSearch={{ optionFilterProp: 'label' }}
          options={[...AUDIT_ACTIONS, ...(action && !(AUDIT_ACTIONS as readonly string[]).includes(action) ? [action] : [])].map((a) => ({
            value: a,
            label: actionLabel(a) === a ? a : `${actionLabel(a)} · ${a}`,
          }))}
          onChange={(v?: string) => setFilter('action', v ?? '')}
          data-testid="audit-action-filter"
        />
        <Input.Search
          allowClear
          style={{ width: 300, maxWidth: '100%' }}
          placeholder={t('audit.targetId')}
          value={targetText}
          onChange={(e) => {
            setTargetText(e.target.value)
            if (!e.target.value) setFilter('target_id', '')
          }}
          onSearch={(v) => setFilter('target_id', v)}
          data-testid="audit-target-filter"
        />
        {filtered && (
          <Button type="link" onClick={() => setParams({})} data-testid="audit-clear-filters">
            {t('creators.clearFilters')}
          </Button>
        )}
      </Flex>
      {list.isError && <Alert type="error" showIcon title={errorMessage(list.error, t)} style={{ marginBottom: 12 }} />}
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        data-testid="audit-table"
        loading={list.isFetching}
        dataSource={items}
        pagination={false}
        scroll={TABLE_SCROLL}
        onRow={(e) => ({ 'data-testid': `audit-row-${e.action}` }) as React.HTMLAttributes<HTMLElement>}
        expandable={{
          expandedRowRender: (e) => <AuditDetails entry={e} />,
          rowExpandable: () => true,
        }}
        locale={{
          emptyText: filtered ? (
            <NextStep title={t('empty.noMatch')} actions={<Button onClick={() => setParams({})}>{t('creators.clearFilters')}</Button>} />
          ) : (
            <NextStep title={t('audit.empty')} />
          ),
        }}
        columns={[
          {
            title: t('audit.when'),
            dataIndex: 'created_at',
            render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{formatInZone(v, i18n.language, zone)}</span>,
          },
          { title: t('audit.who'), key: 'who', render: (_, e) => <span data-testid="audit-who">{who(e)}</span> },
          {
            title: t('audit.action'),
            dataIndex: 'action',
            render: (a: string) => (
              <Tag
                color={a.startsWith('period.') ? 'purple' : a.startsWith('payout.') ? 'blue' : a.startsWith('adjustment.') ? 'cyan' : 'default'}
                title={a}
                data-testid="audit-action"
                style={{ cursor: 'pointer' }}
                onClick={() => setFilter('action', a)}
              >
                {actionLabel(a)}
              </Tag>
            ),
          },
          {
            title: t('audit.target'),
            key: 'target',
            render: (_, e) =>
              e.target_id ? (
                <Typography.Link onClick={() => setFilter('target_id', e.target_id)} title={t('audit.onlyThis')} data-testid="audit-target" style={{ whiteSpace: 'nowrap' }}>
                  {t(`audit.targets.${e.target_type}`, { defaultValue: e.target_type })} · {e.target_id}
                </Typography.Link>
              ) : (
                <span data-testid="audit-target">{t(`audit.targets.${e.target_type}`, { defaultValue: e.target_type || '—' })}</span>
              ),
          },
          {
            title: t('audit.summary'),
            key: 'summary',
            render: (_, e) => (
              <Typography.Text type="secondary" ellipsis style={{ maxWidth: 320 }} data-testid="audit-summary">
                {detailRows(e.details)
                  .map((r) => (r.value !== undefined ? `${r.field ? r.field + ': ' : ''}${r.value}` : `${r.field ? r.field + ': ' : ''}${r.before} → ${r.after}`))
                  .join(' · ')}
              </Typography.Text>
            ),
          },
        ]}
      />
      <Flex justify="space-between" align="center" style={{ marginTop: 12 }} wrap gap={8}>
        <span data-testid="audit-total">{total !== undefined && t('common.total', { count: total })}</span>
        {list.hasNextPage && (
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} data-testid="audit-more">
            {t('common.loadMore')}
          </Button>
        )}
      </Flex>
    </Card>
  )
}

/** An entry's details: the changed fields before and after, the other facts, the IP address. */
function AuditDetails({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation()
  const rows = detailRows(entry.details)
  const changes = rows.filter((r) => r.value === undefined)
  const facts = rows.filter((r) => r.value !== undefined)
  return (
    <div data-testid="audit-details" style={{ maxWidth: '100%', overflowX: 'auto' }}>
      {changes.length > 0 && (
        <Table
          size="small"
          pagination={false}
          rowKey={(r) => r.field || '_'}
          dataSource={changes}
          style={{ marginBottom: 8 }}
          data-testid="audit-changes"
          columns={[
            { title: t('audit.field'), dataIndex: 'field', render: (v: string) => v || '—' },
            { title: t('audit.before'), dataIndex: 'before', render: (v: string) => <span data-testid="audit-before" style={{ wordBreak: 'break-all' }}>{v}</span> },
            { title: t('audit.after'), dataIndex: 'after', render: (v: string) => <span data-testid="audit-after" style={{ wordBreak: 'break-all' }}>{v}</span> },
          ]}
        />
      )}
      <Descriptions
        size="small"
        column={1}
        bordered
        items={[
          ...facts.map((r, i) => ({
            key: `${r.field}-${i}`,
            label: r.field || t('audit.details'),
            children: <span style={{ wordBreak: 'break-all' }}>{r.value}</span>,
          })),
          { key: 'ip', label: t('audit.ip'), children: entry.ip || '—' },
          { key: 'id', label: t('audit.entryId'), children: <Typography.Text copyable>{entry.id}</Typography.Text> },
        ]}
      />
    </div>
  )
}
