import { DownloadOutlined, FilterOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { Alert, App as AntApp, Badge, Button, Card, Checkbox, Empty, Flex, Input, InputNumber, List, Select, Space, Spin, Table, Tag, Tooltip, Typography } from 'antd'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { exportCreators, listCreators } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import { CREATOR_SORTS, CREATOR_STATUSES, TIERS, type Creator } from '../../api/types'
import { queryKeys, useCanWrite } from '../../auth/session'
import { countryOptions } from '../../countries'
import { capList } from '../../creators/display'
import { FIRST_PAGE, canGoBack, currentCursor, pageNumber, popCursor, pushCursor } from '../../creators/cursorStack'
import { activeFilterCount, filtersFromSearch, filtersToQuery, filtersToSearch, type CreatorFilters } from '../../creators/filters'
import { CountryText, PlatformTag, RiskTag, StatusTag, TagSelect, TierTag, useAgencies, useCreatorThreat, usePlatformOptions, useRisk } from '../../creators/shared'
import { formatDate, formatDateTime } from '../../format'
import { useNarrow } from '../../layout/useNarrow'
import { NextStep } from '../../components/NextStep'
import { formatCount } from '../../money'
import { saveBlob } from '../../download'
import { NewCreatorModal } from './CreatorForm'
import { ImportModal } from './ImportModal'
import { ColumnsButton, useCreatorTablePrefs, ViewsButton, visibleColumns } from './TableControls'

export const PAGE_SIZE = 25

/** An account chip no wider than its cell: a long handle ends in "…" (the tooltip has it whole). */
const CHIP_STYLE: React.CSSProperties = {
  display: 'inline-block',
  maxWidth: '100%',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap',
  marginInlineEnd: 0,
}

export default function CreatorsPage() {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const writable = useCanWrite()
  const [searchParams, setSearchParams] = useSearchParams()
  const filters = useMemo(() => filtersFromSearch(searchParams), [searchParams])
  const searchKey = filtersToSearch(filters).toString()
  const [paging, setPaging] = useState({ key: searchKey, stack: FIRST_PAGE })
  const stack = paging.key === searchKey ? paging.stack : FIRST_PAGE
  const cursor = currentCursor(stack)
  const [qInput, setQInput] = useState({ key: filters.q, value: filters.q })
  const qValue = qInput.key === filters.q ? qInput.value : filters.q
  const [showFilters, setShowFilters] = useState(activeFilterCount(filters) > 0)
  const [creating, setCreating] = useState(false)
  const [importing, setImporting] = useState(false)
  const [exporting, setExporting] = useState(false)
  const narrow = useNarrow()
  const risk = useRisk()
  const threat = useCreatorThreat()
  const [prefs, setPrefs] = useCreatorTablePrefs()

  const list = useQuery({
    queryKey: [...queryKeys.creators, searchKey, cursor ?? ''],
    queryFn: () => listCreators({ ...filtersToQuery(filters), limit: PAGE_SIZE, cursor }),
    placeholderData: keepPreviousData,
  })
  const agencies = useAgencies()
  const platformOptions = usePlatformOptions()
  const countries = useMemo(() => countryOptions(i18n.language), [i18n.language])

  const setFilters = (patch: Partial<CreatorFilters>) => {
    setSearchParams(filtersToSearch({ ...filters, ...patch }))
  }

  const onExport = async () => {
    setExporting(true)
    try {
      const { blob, filename } = await exportCreators({ ...filtersToQuery(filters), lang: i18n.language })
      saveBlob(blob, filename ?? 'creators.xlsx')
    } catch (err) {
      message.error(errorMessage(err, t))
    } finally {
      setExporting(false)
    }
  }

  const nFilters = activeFilterCount(filters)
  const data = list.data
  const clearFilters = () => setSearchParams(filters.sort === '-created_at' ? {} : { sort: filters.sort })
  // An empty list says what to do next: widen the search, or add the first creators.
  const empty =
    nFilters > 0 || filters.q ? (
      <NextStep
        title={t('empty.creatorsNoMatch')}
        hint={t('empty.creatorsNoMatchHint')}
        actions={
          <Button onClick={clearFilters} data-testid="empty-clear-filters">
            {t('creators.clearFilters')}
          </Button>
        }
      />
    ) : (
      <NextStep
        title={t('empty.creators')}
        hint={writable ? t('empty.creatorsHint') : t('empty.askColleague')}
        actions={
          writable && (
            <>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="empty-create">
                {t('creators.create')}
              </Button>
              <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="empty-import">
                {t('creators.import')}
              </Button>
            </>
          )
        }
      />
    )

  return (
    <Card
      data-testid="page-creators"
      title={<span data-testid="page-title">{t('nav.creators')}</span>}
      extra={
        <Space wrap>
          <Link to="/agencies" data-testid="creators-agencies-link">
            {t('nav.agencies')}
          </Link>
          {writable && (
            <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="creators-import">
              {t('creators.import')}
            </Button>
          )}
          <Button icon={<DownloadOutlined />} onClick={onExport} loading={exporting} data-testid="creators-export">
            {t('creators.export')}
          </Button>
          {writable && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="creators-create">
              {t('creators.create')}
            </Button>
          )}
        </Space>
      }
    >
      <Flex gap={8} wrap style={{ marginBottom: 12 }}>
        <Input.Search
          allowClear
          style={{ maxWidth: 420 }}
          placeholder={t('creators.searchPlaceholder')}
          value={qValue}
          onChange={(e) => setQInput({ key: filters.q, value: e.target.value })}
          onSearch={(v) => setFilters({ q: v.trim() })}
          data-testid="creators-search"
          enterButton
        />
        <Badge count={nFilters} size="small">
          <Button icon={<FilterOutlined />} onClick={() => setShowFilters((s) => !s)} data-testid="creators-filters-toggle">
            {t('creators.filters')}
          </Button>
        </Badge>
        <Select
          style={{ width: 190 }}
          value={filters.sort}
          onChange={(sort) => setFilters({ sort })}
          options={CREATOR_SORTS.map((s) => ({ value: s, label: t(`creators.sort.${s}`) }))}
          data-testid="creators-sort"
          aria-label={t('creators.sortLabel')}
        />
        <ViewsButton
          prefs={prefs}
          search={searchKey}
          columns={prefs.columns}
          onPrefs={setPrefs}
          onApply={(v) => {
            setPrefs({ ...prefs, columns: v.columns })
            setSearchParams(new URLSearchParams(v.search))
          }}
        />
        {!narrow && <ColumnsButton columns={prefs.columns} onChange={(columns) => setPrefs({ ...prefs, columns })} />}
        {(nFilters > 0 || filters.q) && (
          <Button type="link" onClick={clearFilters} data-testid="creators-clear">
            {t('creators.clearFilters')}
          </Button>
        )}
      </Flex>
      {showFilters && (
        <Flex gap={8} wrap style={{ marginBottom: 12 }} data-testid="creators-filters">
          <Select
            mode="multiple"
            allowClear
            style={{ minWidth: 160 }}
            placeholder={t('creators.status')}
            value={filters.status}
            onChange={(status) => setFilters({ status })}
            options={CREATOR_STATUSES.map((s) => ({ value: s, label: t(`creatorStatus.${s}`) }))}
            data-testid="filter-status"
          />
          <Select
            mode="multiple"
            allowClear
            style={{ minWidth: 160 }}
            placeholder={t('creators.country')}
            value={filters.country}
            onChange={(country) => setFilters({ country })}
            options={countries}
            optionFilterProp="label"
            data-testid="filter-country"
          />
          <Select
            mode="multiple"
            allowClear
            style={{ minWidth: 160 }}
            placeholder={t('creators.platform')}
            value={filters.platform}
            onChange={(platform) => setFilters({ platform })}
            options={platformOptions}
            data-testid="filter-platform"
          />
          <Select
            mode="multiple"
            allowClear
            style={{ minWidth: 140 }}
            placeholder={t('creators.tier')}
            value={filters.tier}
            onChange={(tier) => setFilters({ tier })}
            options={TIERS.map((x) => ({ value: x, label: t(`tiers.${x}`) }))}
            data-testid="filter-tier"
          />
          <Select
            allowClear
            style={{ minWidth: 160 }}
            placeholder={t('creators.agency')}
            value={filters.agency_id || undefined}
            onChange={(agency_id?: string) => setFilters({ agency_id: agency_id ?? '' })}
            loading={agencies.isPending}
            options={(agencies.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))}
            data-testid="filter-agency"
          />
          <TagSelect
            allowClear
            tokenSeparators={[]}
            style={{ minWidth: 160 }}
            placeholder={t('creators.tags')}
            value={filters.tag}
            onChange={(tag: string[]) => setFilters({ tag: tag.map((x) => x.trim()).filter(Boolean) })}
            data-testid="filter-tag"
          />
          <Checkbox checked={filters.exposed} onChange={(e) => setFilters({ exposed: e.target.checked })} data-testid="filter-exposed" style={{ alignSelf: 'center' }}>
            {t('creators.exposedFilter')}
          </Checkbox>
          <Space.Compact>
            <InputNumber
              min={0}
              precision={0}
              placeholder={t('creators.minFollowers')}
              value={filters.min_followers ?? null}
              onChange={(v) => setFilters({ min_followers: v ?? undefined })}
              style={{ width: 140 }}
              data-testid="filter-min-followers"
            />
            <InputNumber
              min={0}
              precision={0}
              placeholder={t('creators.maxFollowers')}
              value={filters.max_followers ?? null}
              onChange={(v) => setFilters({ max_followers: v ?? undefined })}
              style={{ width: 140 }}
              data-testid="filter-max-followers"
            />
          </Space.Compact>
        </Flex>
      )}
      {list.isError && <Alert type="error" showIcon title={errorMessage(list.error, t)} style={{ marginBottom: 16 }} />}
      {narrow ? (
        <Spin spinning={list.isFetching}>
          <List<Creator>
            data-testid="creators-cards"
            dataSource={data?.items ?? []}
            locale={{ emptyText: list.isPending ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={false} /> : empty }}
            renderItem={(c) => <CreatorCard key={c.id} creator={c} />}
          />
        </Spin>
      ) : (
      <Table<Creator>
        rowKey="id"
        data-testid="creators-table"
        loading={list.isFetching}
        dataSource={data?.items ?? []}
        pagination={false}
        locale={{ emptyText: list.isPending ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={false} /> : empty }}
        scroll={{ x: prefs.columns.length > 4 ? 1100 : undefined }}
        onRow={(c) => ({ 'data-testid': `creator-row-${c.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={visibleColumns<Creator>(prefs.columns, [
          {
            key: 'display_name',
            title: t('creators.displayName'),
            dataIndex: 'display_name',
            render: (name: string, c) => (
              <Space size={4} wrap>
                <Link to={`/creators/${c.id}`} data-testid="creator-link">
                  {name}
                </Link>
                <TierTag tier={c.tier} />
                <CreatorThreatTag level={threat(c)} />
              </Space>
            ),
          },
          {
            key: 'country',
            title: t('creators.country'),
            dataIndex: 'country',
            width: 130,
            ellipsis: true,
            render: (code: string) => <CountryText code={code} />,
          },
          { key: 'status', title: t('creators.status'), dataIndex: 'status', width: 100, render: (_, c) => <StatusTag status={c.status} /> },
          {
            title: t('creators.accounts'),
            key: 'accounts',
            // A fixed width, each chip cut with an ellipsis (the tooltip has it whole): a long
            // handle no longer runs over the followers beside it.
            width: 280,
            render: (_, c) => {
              const { shown, more } = capList(c.accounts)
              const chip = (a: Creator['accounts'][number]) => `@${a.handle} · ${a.followers.toLocaleString(i18n.language)}`
              return (
                <Flex wrap gap={4} style={{ minWidth: 0 }} data-testid="creator-accounts-cell">
                  {shown.map((a) => (
                    <Tooltip key={a.id} title={chip(a)}>
                      <PlatformTag
                        platform={a.platform}
                        risk={a.status === 'active' ? risk(a.platform, c.country) : undefined}
                        style={CHIP_STYLE}
                      >
                        {' '}
                        @{a.handle} · {formatCount(a.followers, i18n.language)}
                      </PlatformTag>
                    </Tooltip>
                  ))}
                  {more.length > 0 && (
                    <Tooltip title={more.map(chip).join('\n')} styles={{ container: { whiteSpace: 'pre-line' } }}>
                      <Tag data-testid="creator-accounts-more" style={{ marginInlineEnd: 0 }}>
                        +{more.length}
                      </Tag>
                    </Tooltip>
                  )}
                </Flex>
              )
            },
          },
          {
            key: 'followers',
            title: t('creators.followers'),
            dataIndex: 'followers',
            align: 'right',
            width: 110,
            render: (n: number) => (
              <span title={n.toLocaleString(i18n.language)} style={{ whiteSpace: 'nowrap' }}>
                {formatCount(n, i18n.language)}
              </span>
            ),
          },
          {
            key: 'tags',
            title: t('creators.tags'),
            dataIndex: 'tags',
            render: (tags: string[]) => tags.map((x) => <Tag key={x}>{x}</Tag>),
          },
          {
            title: t('creators.ownerAgency'),
            key: 'owner',
            render: (_, c) => (
              <Space orientation="vertical" size={0}>
                {c.owner_name && <span>{c.owner_name}</span>}
                {c.agency_id && <Typography.Text type="secondary">{c.agency_name ?? '—'}</Typography.Text>}
              </Space>
            ),
          },
          {
            key: 'created_at',
            title: t('creators.createdAt'),
            dataIndex: 'created_at',
            // The day is enough in the list (the time is in the tooltip): room for the names.
            width: 130,
            render: (v: string) => (
              <span style={{ whiteSpace: 'nowrap' }} title={formatDateTime(v, i18n.language)}>
                {formatDate(v, i18n.language)}
              </span>
            ),
          },
        ])}
      />
      )}
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginTop: 16 }}>
        <span data-testid="creators-total">
          {data && t(data.total_estimated ? 'common.totalAbout' : 'common.total', { count: data.total })}
        </span>
        <Space>
          <span>{t('creators.page', { page: pageNumber(stack) })}</span>
          <Button
            disabled={!canGoBack(stack)}
            onClick={() => setPaging({ key: searchKey, stack: popCursor(stack) })}
            data-testid="creators-prev"
          >
            {t('common.previous')}
          </Button>
          <Button
            disabled={!data?.next_cursor || list.isPlaceholderData}
            onClick={() => setPaging({ key: searchKey, stack: pushCursor(stack, data?.next_cursor) })}
            data-testid="creators-next"
          >
            {t('common.nextPage')}
          </Button>
        </Space>
      </Flex>
      <NewCreatorModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setCreating(false)
          message.success(t('creators.created', { name: c.display_name }))
        }}
      />
      <ImportModal open={importing} onClose={() => setImporting(false)} />
    </Card>
  )
}

/** A creator on a phone or tablet: the table's facts stacked in a card, the name linking to the profile. */
function CreatorCard({ creator: c }: { creator: Creator }) {
  const { t, i18n } = useTranslation()
  const risk = useRisk()
  const threat = useCreatorThreat()
  const { shown, more } = capList(c.accounts)
  return (
    <Card size="small" style={{ marginBottom: 8 }} data-testid="creator-card">
      <Flex justify="space-between" align="start" gap={8}>
        <Space size={4} wrap style={{ minWidth: 0 }}>
          <Link to={`/creators/${c.id}`} data-testid="creator-link" style={{ fontWeight: 600, wordBreak: 'break-word' }}>
            {c.display_name}
          </Link>
          <TierTag tier={c.tier} />
          <CreatorThreatTag level={threat(c)} />
        </Space>
        <StatusTag status={c.status} />
      </Flex>
      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 4 }}>
        <CountryText code={c.country} /> · {t('creators.followers')} {formatCount(c.followers, i18n.language)}
        {c.owner_name && <> · {c.owner_name}</>}
      </Typography.Text>
      {c.accounts.length > 0 && (
        <Flex gap={4} wrap style={{ marginTop: 8 }} data-testid="creator-accounts-cell">
          {shown.map((a) => (
            <PlatformTag
              key={a.id}
              platform={a.platform}
              risk={a.status === 'active' ? risk(a.platform, c.country) : undefined}
              style={{ maxWidth: '100%', overflow: 'hidden', textOverflow: 'ellipsis' }}
            >
              {' '}
              @{a.handle} · {formatCount(a.followers, i18n.language)}
            </PlatformTag>
          ))}
          {more.length > 0 && <Tag data-testid="creator-accounts-more">+{more.length}</Tag>}
        </Flex>
      )}
      {c.tags.length > 0 && (
        <Flex gap={4} wrap style={{ marginTop: 8 }}>
          {c.tags.map((x) => (
            <Tag key={x} style={{ maxWidth: '100%', overflow: 'hidden', textOverflow: 'ellipsis' }}>
              {x}
            </Tag>
          ))}
        </Flex>
      )}
    </Card>
  )
}

/** "Exposed" on a creator whose active account's platform is at risk or banned in their country. */
function CreatorThreatTag({ level }: { level: ReturnType<ReturnType<typeof useCreatorThreat>> }) {
  const { t } = useTranslation()
  if (!level) return null
  return (
    <Tooltip title={t('creators.exposedHint')}>
      <span>
        <RiskTag level={level} testid="creator-risk" />
      </span>
    </Tooltip>
  )
}
