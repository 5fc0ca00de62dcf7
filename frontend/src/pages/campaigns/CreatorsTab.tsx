import { EditOutlined, UserAddOutlined } from '@ant-design/icons'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Form, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { enrolCreator, updateEnrolment } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import { ENROLMENT_STATUSES, type Campaign, type Enrolment, type EnrolmentStatus } from '../../api/types'
import { TABLE_SCROLL, campaignKeys, CreatorSearchSelect, formError } from '../../campaigns/shared'
import { useVersionConflict } from '../../components/useVersionConflict'
import { formatDateTime } from '../../format'
import { bpsToPercent, formatBps, percentToBps } from '../../money'
import type { CampaignPeople } from './useCampaignPeople'

const ENROLMENT_COLORS: Record<EnrolmentStatus, string> = { invited: 'blue', accepted: 'green', declined: 'default', removed: 'red' }

export function CreatorsTab({ campaign, people, writable }: { campaign: Campaign; people: CampaignPeople; writable: boolean }) {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const onConflict = useVersionConflict()
  const [form] = Form.useForm<{ creator_id: string; rate_percent?: number | null }>()
  const [error, setError] = useState<string | null>(null)
  const [rateOf, setRateOf] = useState<Enrolment | null>(null)
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: campaignKeys.enrolments(campaign.id) })
    void queryClient.invalidateQueries({ queryKey: campaignKeys.campaign(campaign.id) })
    void queryClient.invalidateQueries({ queryKey: campaignKeys.report(campaign.id) })
  }
  const enrol = useMutation({
    mutationFn: (v: { creator_id: string; rate_percent?: number | null }) =>
      enrolCreator(campaign.id, { creator_id: v.creator_id, rate_bps: v.rate_percent == null ? undefined : percentToBps(v.rate_percent) }),
    onSuccess: (e) => {
      form.resetFields()
      setError(null)
      message.success(t('campaigns.creators.enrolled', { name: e.creator_name }))
      refresh()
    },
    onError: (err) => setError(formError(form, err, ['creator_id', 'rate_percent'], t, { rate_bps: 'rate_percent' })),
  })
  const change = useMutation({
    mutationFn: ({ e, status, rate_bps }: { e: Enrolment; status?: EnrolmentStatus; rate_bps?: number | null }) =>
      updateEnrolment(e.id, e.version, { ...(status ? { status } : {}), ...(rate_bps !== undefined ? { rate_bps } : {}) }),
    onSuccess: () => {
      setRateOf(null)
      refresh()
    },
    onError: (err) => {
      if (!onConflict(err, () => queryClient.refetchQueries({ queryKey: campaignKeys.enrolments(campaign.id) }))) message.error(errorMessage(err, t))
    },
  })

  return (
    <div data-testid="tab-creators">
      {writable && campaign.status !== 'ended' && (
        <Form form={form} layout="inline" style={{ rowGap: 8, marginBottom: 16 }} onFinish={(v) => enrol.mutate(v)}>
          <Form.Item name="creator_id" rules={[{ required: true, message: t('common.required') }]} style={{ flex: '1 1 200px', minWidth: 0, maxWidth: 360 }}>
            <CreatorSearchSelect placeholder={t('campaigns.creators.pick')} data-testid="enrol-creator" style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="rate_percent" tooltip={t('campaigns.creators.overrideHelp')}>
            <InputNumber min={0} max={100} precision={2} suffix="%" placeholder={t('campaigns.creators.override')} style={{ width: 170 }} data-testid="enrol-rate" />
          </Form.Item>
          <Button type="primary" htmlType="submit" icon={<UserAddOutlined />} loading={enrol.isPending} data-testid="enrol-submit">
            {t('campaigns.creators.enrol')}
          </Button>
        </Form>
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="enrol-error" />}
      {people.enrolments.isError && <Alert type="error" showIcon title={errorMessage(people.enrolments.error, t)} />}
      <Table<Enrolment>
        rowKey="id"
        size="small"
        data-testid="enrolments-table"
        loading={people.enrolments.isFetching}
        dataSource={people.items}
        pagination={false}
        scroll={TABLE_SCROLL}
        columns={[
          {
            title: t('campaigns.creators.creator'),
            dataIndex: 'creator_name',
            render: (name: string, e) => <Link to={`/creators/${e.creator_id}`}>{name}</Link>,
          },
          {
            title: t('campaigns.creators.status'),
            dataIndex: 'status',
            render: (s: EnrolmentStatus, e) =>
              writable ? (
                <Select<EnrolmentStatus>
                  size="small"
                  value={s}
                  style={{ minWidth: 120 }}
                  onChange={(status) => change.mutate({ e, status })}
                  data-testid={`enrolment-status-${e.creator_id}`}
                  options={ENROLMENT_STATUSES.map((x) => ({ value: x, label: <Tag color={ENROLMENT_COLORS[x]}>{t(`campaigns.enrolmentStatus.${x}`)}</Tag> }))}
                />
              ) : (
                <Tag color={ENROLMENT_COLORS[s]}>{t(`campaigns.enrolmentStatus.${s}`)}</Tag>
              ),
          },
          {
            title: t('campaigns.creators.override'),
            dataIndex: 'rate_bps',
            render: (v: number | null, e) => (
              <Space size={4}>
                <span data-testid={`enrolment-rate-${e.creator_id}`}>{v === null ? <Typography.Text type="secondary">{t('campaigns.creators.planRate')}</Typography.Text> : formatBps(v, i18n.language)}</span>
                {writable && <Button size="small" type="text" icon={<EditOutlined />} onClick={() => setRateOf(e)} aria-label={t('common.edit')} />}
              </Space>
            ),
          },
          { title: t('campaigns.creators.since'), dataIndex: 'created_at', render: (v: string) => formatDateTime(v, i18n.language) },
        ]}
      />
      <RateModal
        enrolment={rateOf}
        saving={change.isPending}
        onClose={() => setRateOf(null)}
        onSave={(e, rate_bps) => change.mutate({ e, rate_bps })}
      />
    </div>
  )
}

function RateModal(props: { enrolment: Enrolment | null; saving: boolean; onClose: () => void; onSave: (e: Enrolment, bps: number | null) => void }) {
  const { t } = useTranslation()
  const e = props.enrolment
  const [value, setValue] = useState<{ id?: string; v: number | null }>({ v: null })
  const shown = value.id === e?.id ? value.v : e?.rate_bps == null ? null : bpsToPercent(e.rate_bps)
  return (
    <Modal
      open={e !== null}
      title={e ? t('campaigns.creators.overrideTitle', { name: e.creator_name }) : ''}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={props.saving}
      onCancel={props.onClose}
      onOk={() => e && props.onSave(e, shown == null ? null : percentToBps(shown))}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('campaigns.creators.overrideHelp')}</Typography.Paragraph>
      <InputNumber
        min={0}
        max={100}
        precision={2}
        suffix="%"
        value={shown}
        onChange={(v) => setValue({ id: e?.id, v })}
        placeholder={t('campaigns.creators.planRate')}
        style={{ width: 200 }}
      />
    </Modal>
  )
}
