import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { Alert, Card, Flex, Input, Segmented, Select, Space, Table, Tag, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { errorMessage } from '../../api/errors'
import { TABLE_SCROLL } from '../../campaigns/shared'
import { NextStep } from '../../components/NextStep'
import { commissionWorkbook, financeKeys, getStatements, REPORT_LANGS, statementWorkbook, type ReportLang, type StatementLine, type StatementRange } from '../../finance/api'
import { DownloadButton } from '../../finance/FileDownload'
import { addMonths, basePayableTotal, monthDays, rangeFromSearch, rangeLabel, rangeToSearch, STATEMENT_MONEY, statementTotals, type StatementMoneyField } from '../../finance/format'
import { currentSearch, PeriodSelect, PeriodStatusTag, useFinanceRights, usePeriods } from '../../finance/shared'
import { formatMoney } from '../../money'

const COLUMN_LABELS: Record<StatementMoneyField, string> = {
  gmv_minor: 'statements.gmv',
  commission_minor: 'statements.commission',
  reversal_minor: 'statements.reversals',
  adjustment_minor: 'statements.adjustments',
  agency_share_minor: 'statements.agencyShare',
  payable_minor: 'statements.payable',
  pending_minor: 'statements.pending',
}

/**
 * /reports (报表): the statements (对账单) of a month or a range of days — one line per creator and
 * currency with totals per currency — each creator's statement workbook, and the commission workbook.
 */
export default function ReportsPage() {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  const rights = useFinanceRights()
  const periods = usePeriods()
  const [params, setParams] = useSearchParams()
  const fromUrl = rangeFromSearch(params)
  // Without a choice: the latest closed month, else last month.
  const fallback: StatementRange | null = periods.data
    ? { period: periods.data.items.find((p) => p.status === 'closed')?.period ?? addMonths(periods.data.current, -1) }
    : null
  const range = fromUrl ?? fallback
  const mode = range && 'from' in range ? 'days' : 'period'
  const workbookLang: ReportLang = params.get('wlang') === 'en' || params.get('wlang') === 'zh-CN' ? (params.get('wlang') as ReportLang) : lang.startsWith('zh') ? 'zh-CN' : 'en'
  const statementLang: ReportLang = params.get('slang') === 'zh-CN' ? 'zh-CN' : 'en'
  const setRange = (r: StatementRange | null) => {
    const next = rangeToSearch(r)
    const now = currentSearch()
    for (const k of ['wlang', 'slang']) if (now.get(k)) next.set(k, now.get(k)!)
    setParams(next)
  }
  const setParam = (k: string, v: string) => {
    const next = currentSearch()
    next.set(k, v)
    if (!rangeFromSearch(next) && range) for (const [rk, rv] of rangeToSearch(range)) next.set(rk, rv)
    setParams(next)
  }

  const statements = useQuery({
    queryKey: [...financeKeys.statements, range ? rangeToSearch(range).toString() : ''],
    queryFn: () => getStatements(range!),
    enabled: !!range && rights.reports,
    placeholderData: keepPreviousData,
  })
  const items = statements.data?.items ?? []
  const totals = statementTotals(items)
  const baseTotal = basePayableTotal(items)
  const money = (minor: number, currency: string, testid?: string) => (
    <span style={{ whiteSpace: 'nowrap', color: minor < 0 ? '#cf1322' : undefined }} data-testid={testid}>
      {formatMoney(minor, currency, lang)}
    </span>
  )
  const langLabel = (l: ReportLang) => (l === 'zh-CN' ? '中文' : 'English')

  return (
    <Card data-testid="page-reports" title={<span data-testid="page-title">{t('nav.reports')}</span>}>
      <Typography.Paragraph type="secondary">{t('statements.intro')}</Typography.Paragraph>
      <Flex gap={8} wrap align="center" style={{ marginBottom: 12 }} data-testid="statements-range">
        <Segmented
          value={mode}
          onChange={(v) => {
            if (v === 'days') {
              const month = range && 'period' in range ? range.period : periods.data?.current
              if (month) {
                const [from, to] = monthDays(month)
                setRange({ from, to })
              }
            } else setRange(range && 'from' in range ? { period: range.from.slice(0, 7) } : range)
          }}
          options={[
            { value: 'period', label: <span data-testid="statements-mode-period">{t('statements.byPeriod')}</span> },
            { value: 'days', label: <span data-testid="statements-mode-days">{t('statements.byDays')}</span> },
          ]}
        />
        {mode === 'period' ? (
          <PeriodSelect value={range && 'period' in range ? range.period : undefined} onChange={(v) => setRange({ period: v })} data-testid="statements-period" />
        ) : (
          <Space wrap>
            <Input
              type="date"
              aria-label={t('statements.from')}
              value={range && 'from' in range ? range.from : ''}
              onChange={(e) => range && 'from' in range && e.target.value && setRange({ from: e.target.value, to: range.to < e.target.value ? e.target.value : range.to })}
              style={{ width: 160 }}
              data-testid="statements-from"
            />
            <span>–</span>
            <Input
              type="date"
              aria-label={t('statements.to')}
              value={range && 'from' in range ? range.to : ''}
              onChange={(e) => range && 'from' in range && e.target.value && setRange({ from: range.from > e.target.value ? e.target.value : range.from, to: e.target.value })}
              style={{ width: 160 }}
              data-testid="statements-to"
            />
          </Space>
        )}
        {statements.data && <PeriodStatusTag status={statements.data.status} />}
      </Flex>

      {statements.data?.status === 'open' && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('statements.openWarning')} data-testid="statements-open-warning" />
      )}
      {statements.isError && <Alert type="error" showIcon title={errorMessage(statements.error, t)} style={{ marginBottom: 12 }} />}

      <Flex gap={8} wrap align="center" style={{ marginBottom: 8 }}>
        <Typography.Text type="secondary">{t('statements.statementLang')}</Typography.Text>
        <Select<ReportLang>
          size="small"
          style={{ width: 120 }}
          value={statementLang}
          onChange={(v) => setParam('slang', v)}
          options={REPORT_LANGS.map((l) => ({ value: l, label: langLabel(l) }))}
          data-testid="statements-lang"
        />
      </Flex>
      <Table<StatementLine>
        rowKey={(l) => `${l.creator_id}/${l.currency}`}
        size="small"
        data-testid="statements-table"
        loading={statements.isFetching}
        dataSource={items}
        pagination={items.length > 100 ? { pageSize: 100 } : false}
        scroll={TABLE_SCROLL}
        onRow={(l) => ({ 'data-testid': `statement-row-${l.creator_id}-${l.currency}` }) as React.HTMLAttributes<HTMLElement>}
        locale={{
          emptyText: range ? (
            <NextStep title={t('statements.empty', { range: rangeLabel(range) })} hint={t('statements.emptyHint')} testid="statements-empty" />
          ) : (
            t('common.loading')
          ),
        }}
        columns={[
          {
            title: t('statements.creator'),
            dataIndex: 'creator_name',
            fixed: 'left',
            render: (name: string, l) => (
              <Link to={`/creators/${l.creator_id}`} data-testid="statement-creator">
                {name}
              </Link>
            ),
          },
          { title: t('statements.currency'), dataIndex: 'currency', render: (c: string) => <Tag>{c}</Tag> },
          { title: t('statements.conversions'), dataIndex: 'conversions', align: 'right' },
          ...STATEMENT_MONEY.map((k) => ({
            title: t(COLUMN_LABELS[k]),
            key: k,
            align: 'right' as const,
            render: (_: unknown, l: StatementLine) => money(l[k], l.currency, `statement-${k.replace('_minor', '')}`),
          })),
          {
            title: t('statements.basePayable'),
            key: 'base',
            align: 'right',
            render: (_, l) => money(l.base_payable_minor, l.base_currency, 'statement-base-payable'),
          },
          {
            title: t('statements.workbook'),
            key: 'download',
            render: (_, l) =>
              range && (
                <DownloadButton
                  size="small"
                  type="link"
                  file={statementWorkbook(l.creator_id, range, statementLang)}
                  fallbackName={`statement-${l.creator_name}-${rangeLabel(range)}.xlsx`}
                  testid="statement-download"
                >
                  {t('statements.download')}
                </DownloadButton>
              ),
          },
        ]}
        summary={() =>
          totals.length > 0 && (
            <Table.Summary>
              {totals.map((tot) => (
                <Table.Summary.Row key={tot.currency} data-testid={`statement-total-${tot.currency}`}>
                  <Table.Summary.Cell index={0}>
                    <strong>{t('statements.total', { count: tot.creators })}</strong>
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={1}>
                    <Tag color="blue">{tot.currency}</Tag>
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={2} align="right">
                    {tot.conversions}
                  </Table.Summary.Cell>
                  {STATEMENT_MONEY.map((k, i) => (
                    <Table.Summary.Cell key={k} index={3 + i} align="right">
                      <strong>{money(tot.sums[k], tot.currency, `statement-total-${k.replace('_minor', '')}`)}</strong>
                    </Table.Summary.Cell>
                  ))}
                  <Table.Summary.Cell index={3 + STATEMENT_MONEY.length} />
                  <Table.Summary.Cell index={4 + STATEMENT_MONEY.length} />
                </Table.Summary.Row>
              ))}
              {baseTotal.map((b) => (
                <Table.Summary.Row key={`base-${b.currency}`} data-testid="statement-base-total">
                  <Table.Summary.Cell index={0} colSpan={3 + STATEMENT_MONEY.length}>
                    <strong>{t('statements.baseTotal', { base: b.currency })}</strong>
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={3 + STATEMENT_MONEY.length} align="right">
                    <strong>{money(b.amount_minor, b.currency, 'statement-base-total-amount')}</strong>
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={4 + STATEMENT_MONEY.length} />
                </Table.Summary.Row>
              ))}
            </Table.Summary>
          )
        }
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('statements.payableRule')}
      </Typography.Paragraph>

      <Card size="small" title={t('statements.workbookTitle')} style={{ marginTop: 16 }} data-testid="workbook-card">
        <Typography.Paragraph type="secondary">{t('statements.workbookHelp')}</Typography.Paragraph>
        <Flex gap={8} wrap align="flex-start">
          <Select<ReportLang>
            style={{ width: 140 }}
            value={workbookLang}
            onChange={(v) => setParam('wlang', v)}
            options={REPORT_LANGS.map((l) => ({ value: l, label: langLabel(l) }))}
            data-testid="workbook-lang"
          />
          <DownloadButton
            type="primary"
            disabled={!range}
            file={() => (range ? commissionWorkbook(range, workbookLang) : null)}
            fallbackName={`commissions-${range ? rangeLabel(range).replace(/ – /, '_') : ''}-${workbookLang}.xlsx`}
            testid="workbook-download"
          >
            {t('statements.workbookDownload')}
          </DownloadButton>
        </Flex>
        <Typography.Paragraph style={{ marginTop: 12, marginBottom: 0 }}>
          <Space wrap>
            <Link to={range && 'period' in range ? `/payouts?tab=batches&period=${range.period}` : '/payouts?tab=batches'} data-testid="reports-payout-files">
              {t('statements.payoutFiles')}
            </Link>
            <Link to={range && 'period' in range ? `/commissions?period=${range.period}` : '/commissions'}>{t('statements.ledger')}</Link>
          </Space>
        </Typography.Paragraph>
      </Card>
    </Card>
  )
}
