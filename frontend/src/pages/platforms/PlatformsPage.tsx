import { FlagOutlined } from '@ant-design/icons'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  Alert,
  App as AntApp,
  Button,
  type ButtonProps,
  Card,
  Col,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Row,
  Segmented,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { platformExposure, setPlatformRisk } from '../../api/endpoints'
import { applyNestedFieldErrors, errorMessage } from '../../api/errors'
import { RISK_LEVELS, type Dependent, type MarkExposure, type PlatformEntry, type PlatformExposure, type RiskLevel } from '../../api/types'
import { queryKeys, useCanWrite } from '../../auth/session'
import { countryName } from '../../countries'
import { CountrySelect, PlatformTag, RiskTag, StatusTag, usePlatformOptions, usePlatforms } from '../../creators/shared'
import { formatBps, formatCount, formatMoney } from '../../money'

interface RiskValues {
  platform: string
  country: string
  level: RiskLevel
  note?: string
}

const WINDOWS = [30, 90, 365] as const

export default function PlatformsPage() {
  const { t, i18n } = useTranslation()
  const writable = useCanWrite()
  const platforms = usePlatforms()
  const [marking, setMarking] = useState<Partial<RiskValues> | null>(null)
  const [days, setDays] = useState<number>(90)
  const exposure = useQuery({ queryKey: queryKeys.exposure(days), queryFn: () => platformExposure(days) })
  const lang = i18n.language

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="page-platforms">
      <Card
        title={<span data-testid="page-title">{t('nav.platforms')}</span>}
        extra={
          writable && (
            <Button type="primary" icon={<FlagOutlined />} onClick={() => setMarking({ level: 'at_risk' })} data-testid="risk-set">
              {t('platforms.setRisk')}
            </Button>
          )
        }
      >
        <Typography.Paragraph type="secondary">{t('platforms.intro')}</Typography.Paragraph>
        {platforms.isError && <Alert type="error" showIcon title={errorMessage(platforms.error, t)} />}
        <Table<PlatformEntry>
          rowKey="platform"
          size="small"
          data-testid="platforms-table"
          loading={platforms.isPending}
          dataSource={platforms.data?.items ?? []}
          pagination={false}
          columns={[
            { title: t('creators.platform'), dataIndex: 'platform', render: (p: string) => <PlatformTag platform={p} /> },
            {
              title: t('platforms.marks'),
              key: 'marks',
              render: (_, p) =>
                p.marks.length === 0 ? (
                  <Typography.Text type="secondary">{t('platforms.noMarks')}</Typography.Text>
                ) : (
                  <Space size={[0, 4]} wrap data-testid={`platform-marks-${p.platform}`}>
                    {p.marks.map((m) => (
                      <span key={m.country} title={m.note || undefined}>
                        <RiskTag level={m.level}>{countryName(m.country, lang)}</RiskTag>
                      </span>
                    ))}
                  </Space>
                ),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              width: 120,
              render: (_, p) =>
                writable && (
                  <Button size="small" onClick={() => setMarking({ platform: p.platform, level: 'at_risk' })} data-testid={`risk-set-${p.platform}`}>
                    {t('platforms.mark')}
                  </Button>
                ),
            },
          ]}
        />
      </Card>

      <Card
        title={t('platforms.exposure')}
        extra={
          <Segmented<number>
            value={days}
            onChange={setDays}
            options={WINDOWS.map((d) => ({ value: d, label: t('creator.lastDays', { days: d }) }))}
            data-testid="exposure-days"
          />
        }
        data-testid="exposure"
      >
        {exposure.isError && <Alert type="error" showIcon title={errorMessage(exposure.error, t)} />}
        {exposure.data && (
          <>
            <Row gutter={16} style={{ marginBottom: 16 }}>
              <Col xs={12} md={6}>
                <Statistic title={t('platforms.creators')} value={exposure.data.totals.creators} />
              </Col>
              <Col xs={12} md={6}>
                <Statistic title={t('platforms.accounts')} value={exposure.data.totals.accounts} />
              </Col>
              <Col xs={12} md={6}>
                <Statistic
                  title={t('platforms.gmv')}
                  value={formatMoney(exposure.data.totals.gmv_minor, exposure.data.currency, lang)}
                />
              </Col>
              <Col xs={12} md={6}>
                <Statistic
                  title={t('platforms.commission')}
                  value={formatMoney(exposure.data.totals.commission_minor, exposure.data.currency, lang)}
                />
              </Col>
            </Row>
            <Table<PlatformExposure>
              rowKey="platform"
              size="small"
              data-testid="exposure-table"
              dataSource={exposure.data.platforms.filter((p) => p.accounts > 0 || p.gmv_minor !== 0)}
              pagination={false}
              scroll={{ x: 800 }}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('platforms.noAccounts')} /> }}
              columns={[
                { title: t('creators.platform'), dataIndex: 'platform', render: (p: string) => <PlatformTag platform={p} /> },
                {
                  title: t('platforms.creators'),
                  dataIndex: 'creators',
                  align: 'right',
                  render: (n: number, p) => (
                    <Link to={`/creators?platform=${p.platform}`}>
                      {n} <Typography.Text type="secondary">({formatBps(p.creator_share_bps, lang)})</Typography.Text>
                    </Link>
                  ),
                },
                { title: t('platforms.accounts'), dataIndex: 'accounts', align: 'right' },
                {
                  title: t('platforms.gmv'),
                  dataIndex: 'gmv_minor',
                  align: 'right',
                  render: (v: number, p) => (
                    <>
                      {formatMoney(v, exposure.data.currency, lang)}{' '}
                      <Typography.Text type="secondary">({formatBps(p.gmv_share_bps, lang)})</Typography.Text>
                    </>
                  ),
                },
                {
                  title: t('platforms.commission'),
                  dataIndex: 'commission_minor',
                  align: 'right',
                  render: (v: number, p) => (
                    <>
                      {formatMoney(v, exposure.data.currency, lang)}{' '}
                      <Typography.Text type="secondary">({formatBps(p.commission_share_bps, lang)})</Typography.Text>
                    </>
                  ),
                },
              ]}
            />
          </>
        )}
      </Card>

      {exposure.data?.marks.map((m) => <MarkCard key={`${m.platform}-${m.country}`} mark={m} />)}
      {exposure.data && exposure.data.marks.length === 0 && (
        <Card>
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('platforms.noRisk')} />
        </Card>
      )}

      <RiskModal initial={marking} onClose={() => setMarking(null)} />
    </Space>
  )
}

function DependentList({ items, testid, showAlternatives }: { items: Dependent[]; testid: string; showAlternatives: boolean }) {
  const { t, i18n } = useTranslation()
  return (
    <List
      size="small"
      data-testid={testid}
      dataSource={items}
      locale={{ emptyText: t('platforms.nobody') }}
      renderItem={(d) => (
        <List.Item data-testid="dependent">
          <Space orientation="vertical" size={2} style={{ width: '100%' }}>
            <Space wrap>
              <Link to={`/creators/${d.creator_id}`} data-testid="dependent-link">
                {d.display_name}
              </Link>
              <StatusTag status={d.status} />
              <Typography.Text type="secondary">
                {d.accounts.map((a) => `@${a.handle}`).join(', ')} · {formatCount(d.followers, i18n.language)}
              </Typography.Text>
            </Space>
            {showAlternatives && d.alternatives.length > 0 && (
              <Space size={[0, 4]} wrap>
                <Typography.Text type="secondary">{t('platforms.moveTo')}</Typography.Text>
                {d.alternatives.map((a) => (
                  <PlatformTag key={a.account_id} platform={a.platform}>
                    {' '}
                    @{a.handle} · {formatCount(a.followers, i18n.language)}
                    {a.at_risk ? ` ⚠ ${t('risk.at_risk')}` : ''}
                  </PlatformTag>
                ))}
              </Space>
            )}
          </Space>
        </List.Item>
      )}
    />
  )
}

function MarkCard({ mark: m }: { mark: MarkExposure }) {
  const { t, i18n } = useTranslation()
  return (
    <Card
      data-testid={`exposure-mark-${m.platform}-${m.country}`}
      title={
        <Space wrap>
          <PlatformTag platform={m.platform} />
          <span>{countryName(m.country, i18n.language)}</span>
          <RiskTag level={m.level} />
          <Typography.Text type="secondary">{t('platforms.dependents', { count: m.creators })}</Typography.Text>
        </Space>
      }
    >
      {m.note && <Typography.Paragraph type="secondary">{m.note}</Typography.Paragraph>}
      <Row gutter={24}>
        <Col xs={24} lg={12}>
          <Typography.Title level={5}>
            {t('platforms.withAlternative')} <Tag color="green" data-testid="with-alt-count">{m.with_alternative_count}</Tag>
          </Typography.Title>
          <DependentList items={m.with_alternative} testid="with-alternative" showAlternatives />
        </Col>
        <Col xs={24} lg={12}>
          <Typography.Title level={5}>
            {t('platforms.withoutAlternative')} <Tag color="red" data-testid="without-alt-count">{m.without_alternative_count}</Tag>
          </Typography.Title>
          <DependentList items={m.without_alternative} testid="without-alternative" showAlternatives={false} />
        </Col>
      </Row>
      {m.truncated && <Alert type="info" showIcon title={t('platforms.truncated')} style={{ marginTop: 12 }} />}
    </Card>
  )
}

function RiskModal({ initial, onClose }: { initial: Partial<RiskValues> | null; onClose: () => void }) {
  const { t } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const platformOptions = usePlatformOptions()
  const [form] = Form.useForm<RiskValues>()
  const [error, setError] = useState<string | null>(null)
  const [seen, setSeen] = useState<Partial<RiskValues> | null>(null)
  if (initial !== seen) {
    setSeen(initial)
    if (initial) {
      form.resetFields()
      form.setFieldsValue(initial)
      setError(null)
    }
  }
  const save = useMutation({
    mutationFn: (v: RiskValues) => setPlatformRisk(v.platform, { country: v.country, level: v.level, note: v.note?.trim() || undefined }),
    onSuccess: () => {
      message.success(t('platforms.saved'))
      void queryClient.invalidateQueries({ queryKey: queryKeys.platforms })
      void queryClient.invalidateQueries({ queryKey: ['platform-exposure'] })
      onClose()
    },
    onError: (err) => {
      applyNestedFieldErrors(form, err, ['country', 'level', 'note'], t)
      setError(errorMessage(err, t))
    },
  })
  const required = { required: true, message: t('common.required') }
  return (
    <Modal
      open={initial !== null}
      title={t('platforms.setRisk')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={save.isPending}
      okButtonProps={{ 'data-testid': 'risk-submit' } as ButtonProps}
      forceRender
    >
      <Form<RiskValues> form={form} layout="vertical" requiredMark={false} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="platform" label={t('creators.platform')} rules={[required]}>
          <Select options={platformOptions} data-testid="risk-platform" />
        </Form.Item>
        <Form.Item name="country" label={t('creators.country')} rules={[required]}>
          <CountrySelect data-testid="risk-country" />
        </Form.Item>
        <Form.Item name="level" label={t('platforms.level')} rules={[required]} extra={t('platforms.levelHelp')}>
          <Segmented<RiskLevel>
            options={RISK_LEVELS.map((l) => ({ value: l, label: <span data-testid={`risk-level-${l}`}>{t(`risk.${l}`)}</span> }))}
          />
        </Form.Item>
        <Form.Item name="note" label={t('platforms.note')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} />}
      </Form>
    </Modal>
  )
}
