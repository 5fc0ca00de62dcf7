import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { NextStep } from '../../components/NextStep'
import { Alert, App as AntApp, Button, type ButtonProps, Card, Form, Input, InputNumber, Modal, Popconfirm, Space, Table } from 'antd'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { mergeUntouched } from '../../api/concurrency'
import { createAgency, deleteAgency, getAgency, updateAgency } from '../../api/endpoints'
import { useVersionConflict } from '../../components/useVersionConflict'
import { applyNestedFieldErrors, errorMessage } from '../../api/errors'
import type { Agency } from '../../api/types'
import { queryKeys, useCanWrite } from '../../auth/session'
import { CountrySelect, CountryText, useAgencies } from '../../creators/shared'
import { formatDateTime } from '../../format'
import { bpsToPercent, formatBps, percentToBps } from '../../money'

interface AgencyValues {
  name: string
  country: string
  contact_email?: string
  share_percent?: number | null
}

export default function AgenciesPage() {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const writable = useCanWrite()
  const agencies = useAgencies()
  const [editing, setEditing] = useState<Agency | 'new' | null>(null)
  const remove = useMutation({
    mutationFn: (id: string) => deleteAgency(id),
    onSuccess: () => {
      message.success(t('agencies.deleted'))
      void queryClient.invalidateQueries({ queryKey: queryKeys.agencies })
    },
    // 409 when creators still belong to it: the server's message says so.
    onError: (err) => message.error(errorMessage(err, t)),
  })
  return (
    <Card
      data-testid="page-agencies"
      title={
        <Space>
          <Link to="/creators" aria-label={t('common.back')}>
            <ArrowLeftOutlined />
          </Link>
          <span data-testid="page-title">{t('nav.agencies')}</span>
        </Space>
      }
      extra={
        writable && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="agencies-create">
            {t('agencies.create')}
          </Button>
        )
      }
    >
      {agencies.isError && <Alert type="error" showIcon title={errorMessage(agencies.error, t)} style={{ marginBottom: 16 }} />}
      <Table<Agency>
        scroll={{ x: 'max-content' }}
        rowKey="id"
        data-testid="agencies-table"
        loading={agencies.isPending}
        dataSource={agencies.data?.items ?? []}
        pagination={false}
        locale={{
          emptyText: (
            <NextStep
              title={t('empty.agencies')}
              hint={writable ? t('empty.agenciesHint') : t('empty.askColleague')}
              actions={
                writable && (
                  <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="empty-create">
                    {t('agencies.create')}
                  </Button>
                )
              }
            />
          ),
        }}
        columns={[
          { title: t('agencies.name'), dataIndex: 'name' },
          { title: t('creators.country'), dataIndex: 'country', render: (c: string) => <CountryText code={c} /> },
          { title: t('agencies.contactEmail'), dataIndex: 'contact_email', render: (v: string | null) => v ?? '—' },
          { title: t('agencies.share'), dataIndex: 'share_bps', render: (v: number) => formatBps(v, i18n.language) },
          {
            title: t('nav.creators'),
            dataIndex: 'creators',
            render: (n: number, a) => <Link to={`/creators?agency_id=${encodeURIComponent(a.id)}`}>{n}</Link>,
          },
          { title: t('creators.createdAt'), dataIndex: 'created_at', render: (v: string) => formatDateTime(v, i18n.language) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_, a) =>
              writable && (
                <Space size={4}>
                  <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(a)} aria-label={t('common.edit')} />
                  <Popconfirm title={t('agencies.confirmDelete', { name: a.name })} onConfirm={() => remove.mutate(a.id)}>
                    <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} data-testid="agency-delete" />
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
      <AgencyModal agency={editing} onClose={() => setEditing(null)} />
    </Card>
  )
}

const agencyValues = (a: Agency): AgencyValues => ({
  name: a.name,
  country: a.country,
  contact_email: a.contact_email ?? '',
  share_percent: bpsToPercent(a.share_bps),
})

function AgencyModal({ agency, onClose }: { agency: Agency | 'new' | null; onClose: () => void }) {
  const { t } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const [form] = Form.useForm<AgencyValues>()
  const [error, setError] = useState<string | null>(null)
  const onConflict = useVersionConflict()
  // The agency the form's values came from (its version goes as If-Match); replaced by a reload.
  const [base, setBase] = useState<Agency | null>(null)
  const opened = useRef<Agency | 'new' | null>(null)
  useEffect(() => {
    if (agency === null || agency === opened.current) return
    opened.current = agency
    form.resetFields()
    setError(null)
    if (agency !== 'new') {
      form.setFieldsValue(agencyValues(agency))
      setBase(agency)
    } else setBase(null)
  }, [agency, form])
  useEffect(() => {
    if (agency === null) opened.current = null
  }, [agency])
  const reload = async () => {
    if (!base) return
    const fresh = await getAgency(base.id)
    void queryClient.invalidateQueries({ queryKey: queryKeys.agencies })
    form.setFieldsValue(mergeUntouched(form.getFieldsValue(), agencyValues(base), agencyValues(fresh)))
    setBase(fresh)
    setError(null)
  }
  const save = useMutation({
    mutationFn: (v: AgencyValues) => {
      const body = {
        name: v.name.trim(),
        country: v.country,
        contact_email: v.contact_email?.trim() || null,
        share_bps: v.share_percent === undefined || v.share_percent === null ? 0 : percentToBps(v.share_percent),
      }
      return base === null
        ? createAgency({ ...body, contact_email: body.contact_email ?? undefined })
        : updateAgency(base.id, base.version, body)
    },
    onSuccess: (a) => {
      message.success(t('agencies.saved', { name: a.name }))
      void queryClient.invalidateQueries({ queryKey: queryKeys.agencies })
      onClose()
    },
    onError: (err) => {
      if (onConflict(err, reload)) return
      applyNestedFieldErrors(form, err, ['name', 'country', 'contact_email', 'share_percent'], t, { share_bps: 'share_percent' })
      setError(errorMessage(err, t))
    },
  })
  const required = { required: true, message: t('common.required') }
  return (
    <Modal
      open={agency !== null}
      title={agency === 'new' ? t('agencies.create') : t('agencies.edit')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={agency === 'new' ? t('common.create') : t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={save.isPending}
      okButtonProps={{ 'data-testid': 'agency-submit' } as ButtonProps}
      forceRender
    >
      <Form<AgencyValues> form={form} layout="vertical" requiredMark={false} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="name" label={t('agencies.name')} rules={[{ ...required, whitespace: true }]}>
          <Input data-testid="agency-name" maxLength={200} />
        </Form.Item>
        <Form.Item name="country" label={t('creators.country')} rules={[required]}>
          <CountrySelect data-testid="agency-country" />
        </Form.Item>
        <Form.Item name="contact_email" label={t('agencies.contactEmail')} rules={[{ type: 'email', message: t('common.emailInvalid') }]}>
          <Input inputMode="email" />
        </Form.Item>
        <Form.Item name="share_percent" label={t('agencies.share')} tooltip={t('agencies.shareHelp')}>
          <InputNumber min={0} max={100} precision={2} suffix="%" style={{ width: '100%' }} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} />}
      </Form>
    </Modal>
  )
}
