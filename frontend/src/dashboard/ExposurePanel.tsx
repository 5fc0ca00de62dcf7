// The dashboard's platform risk panel: each platform marked at risk or banned in a country, the
// share of the GMV and of the creators on that platform, and the creators who depend on it —
// those without another platform first — one click from their profiles.
import { useQuery } from '@tanstack/react-query'
import { Alert, Card, Col, Flex, Row, Skeleton, Space, Statistic, Tag, Typography } from 'antd'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { platformExposure } from '../api/endpoints'
import { errorMessage } from '../api/errors'
import type { Dependent, MarkExposure, PlatformExposure } from '../api/types'
import { queryKeys, useCanWrite } from '../auth/session'
import { NextStep } from '../components/NextStep'
import { countryName } from '../countries'
import { PlatformTag, RiskTag } from '../creators/shared'
import { formatBps, formatCount, formatMoney } from '../money'
import { sortMarks } from './figures'

/** How many creators each list shows before "and N more". */
const SHOWN = 6

function People({ items, total, testid, showAlternatives }: { items: Dependent[]; total: number; testid: string; showAlternatives: boolean }) {
  const { t, i18n } = useTranslation()
  if (total === 0) return <Typography.Text type="secondary">{t('platforms.nobody')}</Typography.Text>
  const shown = items.slice(0, SHOWN)
  const more = total - shown.length
  return (
    <Flex vertical gap={4} data-testid={testid}>
      {shown.map((d) => (
        <Flex key={d.creator_id} gap={6} wrap align="center" style={{ minWidth: 0 }}>
          <Link to={`/creators/${d.creator_id}`} data-testid="exposure-creator-link">
            {d.display_name}
          </Link>
          <Typography.Text type="secondary">{formatCount(d.followers, i18n.language)}</Typography.Text>
          {showAlternatives &&
            d.alternatives.slice(0, 2).map((a) => <PlatformTag key={a.account_id} platform={a.platform} style={{ marginInlineEnd: 0 }} />)}
        </Flex>
      ))}
      {more > 0 && (
        <Link to="/platforms" data-testid={`${testid}-more`}>
          {t('dashboard.exposure.more', { count: more })}
        </Link>
      )}
    </Flex>
  )
}

function MarkBlock({ mark: m, platform, currency }: { mark: MarkExposure; platform?: PlatformExposure; currency: string }) {
  const { t, i18n } = useTranslation()
  const lang = i18n.language
  return (
    <Card size="small" type="inner" data-testid={`dashboard-exposure-${m.platform}-${m.country}`}
      title={
        <Space wrap size={4}>
          <PlatformTag platform={m.platform} />
          <span>{countryName(m.country, lang)}</span>
          <RiskTag level={m.level} />
        </Space>
      }
    >
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}>
          <Statistic
            title={t('dashboard.exposure.gmvShare')}
            value={formatBps(platform?.gmv_share_bps ?? 0, lang)}
            styles={{ content: { fontSize: 20 } }}
            data-testid="exposure-gmv-share"
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {formatMoney(platform?.gmv_minor ?? 0, currency, lang)}
          </Typography.Text>
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={t('dashboard.exposure.creatorShare')}
            value={formatBps(platform?.creator_share_bps ?? 0, lang)}
            styles={{ content: { fontSize: 20 } }}
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('dashboard.exposure.dependents', { count: m.creators })}
          </Typography.Text>
        </Col>
        <Col xs={24} md={12}>
          <Typography.Text strong>
            {t('dashboard.exposure.without')}{' '}
            <Tag color={m.without_alternative_count > 0 ? 'red' : 'default'} data-testid="exposure-without-count">
              {m.without_alternative_count}
            </Tag>
          </Typography.Text>
          <People items={m.without_alternative} total={m.without_alternative_count} testid="exposure-without" showAlternatives={false} />
          <div style={{ marginTop: 8 }}>
            <Typography.Text strong>
              {t('dashboard.exposure.with')}{' '}
              <Tag color="green" data-testid="exposure-with-count">
                {m.with_alternative_count}
              </Tag>
            </Typography.Text>
            <People items={m.with_alternative} total={m.with_alternative_count} testid="exposure-with" showAlternatives />
          </div>
        </Col>
      </Row>
    </Card>
  )
}

/** The panel, over the last `days` days (the exposure insight's window ends today). */
export function ExposurePanel({ days }: { days: number }) {
  const { t } = useTranslation()
  const writable = useCanWrite()
  const exposure = useQuery({ queryKey: queryKeys.exposure(days), queryFn: () => platformExposure(days) })
  const marks = exposure.data ? sortMarks(exposure.data.marks) : []
  return (
    <Card
      title={t('dashboard.exposure.title')}
      extra={<Link to="/platforms">{t('dashboard.exposure.details')}</Link>}
      data-testid="dashboard-exposure"
    >
      {exposure.isPending && <Skeleton active paragraph={{ rows: 3 }} />}
      {exposure.isError && <Alert type="error" showIcon title={errorMessage(exposure.error, t)} />}
      {exposure.data && marks.length === 0 && (
        <NextStep
          testid="dashboard-exposure-empty"
          title={t('dashboard.exposure.none')}
          hint={t('dashboard.exposure.noneHint')}
          actions={writable && <Link to="/platforms">{t('dashboard.exposure.markOne')}</Link>}
        />
      )}
      {exposure.data && marks.length > 0 && (
        <Flex vertical gap={12}>
          <Typography.Text type="secondary">{t('dashboard.exposure.window', { days: exposure.data.days })}</Typography.Text>
          {marks.map((m) => (
            <MarkBlock
              key={`${m.platform}-${m.country}`}
              mark={m}
              platform={exposure.data.platforms.find((p) => p.platform === m.platform)}
              currency={exposure.data.currency}
            />
          ))}
        </Flex>
      )}
    </Card>
  )
}
