import { LinkOutlined, QrcodeOutlined, TagOutlined } from '@ant-design/icons'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Divider, Form, Input, Modal, Select, Switch, Table, Typography } from 'antd'
import QRCode from 'qrcode'
import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { createLink, createPromoCode, listLinks, listPromoCodes, updateLink } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import type { Campaign, PromoCode, TrackingLink } from '../../api/types'
import { TABLE_SCROLL, campaignKeys, formError } from '../../campaigns/shared'
import { useVersionConflict } from '../../components/useVersionConflict'
import type { CampaignPeople } from './useCampaignPeople'

/** The short URL as the creator will share it: absolute, on this server when none is configured. */
export function absoluteShortUrl(shortUrl: string): string {
  try {
    return new URL(shortUrl, window.location.origin).toString()
  } catch {
    return shortUrl
  }
}

export function QrModal({ link, onClose }: { link: TrackingLink | null; onClose: () => void }) {
  const { t } = useTranslation()
  const [src, setSrc] = useState<{ url: string; data: string } | null>(null)
  const url = link ? absoluteShortUrl(link.short_url) : ''
  useEffect(() => {
    if (!url) return
    let live = true
    QRCode.toDataURL(url, { width: 256, margin: 1 })
      .then((data) => live && setSrc({ url, data }))
      .catch(() => live && setSrc(null))
    return () => {
      live = false
    }
  }, [url])
  const data = src?.url === url ? src.data : null
  return (
    <Modal open={link !== null} title={t('links.qrTitle')} footer={null} onCancel={onClose} width={340} destroyOnHidden>
      <div style={{ textAlign: 'center' }} data-testid="link-qr">
        {data && <img src={data} alt={url} width={256} height={256} style={{ maxWidth: '100%', height: 'auto' }} />}
        <Typography.Paragraph copyable={{ text: url }} style={{ marginTop: 8, wordBreak: 'break-all' }}>
          {url}
        </Typography.Paragraph>
        {data && (
          <a href={data} download={`${link?.code ?? 'link'}.png`}>
            {t('links.downloadQr')}
          </a>
        )}
      </div>
    </Modal>
  )
}

export function LinksTab({ campaign, people, writable }: { campaign: Campaign; people: CampaignPeople; writable: boolean }) {
  const { t } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const onConflict = useVersionConflict()
  const links = useQuery({ queryKey: campaignKeys.links(campaign.id), queryFn: () => listLinks({ campaign_id: campaign.id, limit: 200 }) })
  const codes = useQuery({ queryKey: campaignKeys.codes(campaign.id), queryFn: () => listPromoCodes({ campaign_id: campaign.id, limit: 200 }) })
  const [qr, setQr] = useState<TrackingLink | null>(null)
  const [linkForm] = Form.useForm<{ creator_id: string; account_id?: string; destination_url: string }>()
  const [codeForm] = Form.useForm<{ creator_id: string; account_id?: string; code: string }>()
  const [linkError, setLinkError] = useState<string | null>(null)
  const [codeError, setCodeError] = useState<string | null>(null)
  const linkCreator = Form.useWatch('creator_id', linkForm)
  const codeCreator = Form.useWatch('creator_id', codeForm)

  const addLink = useMutation({
    mutationFn: (v: { creator_id: string; account_id?: string; destination_url: string }) =>
      createLink({ campaign_id: campaign.id, creator_id: v.creator_id, account_id: v.account_id || undefined, destination_url: v.destination_url.trim() }),
    onSuccess: () => {
      linkForm.resetFields(['account_id'])
      setLinkError(null)
      void queryClient.invalidateQueries({ queryKey: campaignKeys.links(campaign.id) })
    },
    onError: (err) => setLinkError(formError(linkForm, err, ['creator_id', 'account_id', 'destination_url'], t)),
  })
  const addCode = useMutation({
    mutationFn: (v: { creator_id: string; account_id?: string; code: string }) =>
      createPromoCode({ campaign_id: campaign.id, creator_id: v.creator_id, account_id: v.account_id || undefined, code: v.code.trim() }),
    onSuccess: () => {
      codeForm.resetFields(['code'])
      setCodeError(null)
      void queryClient.invalidateQueries({ queryKey: campaignKeys.codes(campaign.id) })
    },
    onError: (err) => setCodeError(formError(codeForm, err, ['creator_id', 'account_id', 'code'], t)),
  })
  const toggle = useMutation({
    mutationFn: (l: TrackingLink) => updateLink(l.id, l.version, { status: l.status === 'active' ? 'disabled' : 'active' }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: campaignKeys.links(campaign.id) }),
    onError: (err) => {
      if (!onConflict(err, () => queryClient.refetchQueries({ queryKey: campaignKeys.links(campaign.id) }))) message.error(errorMessage(err, t))
    },
  })

  const accountOptions = (creatorId?: string) => people.accountsOf(creatorId).map((a) => ({ value: a.id, label: people.accountOption(a) }))
  const required = { required: true, message: t('common.required') }
  const creatorSelect = (testid: string) => (
    <Select options={people.creatorOptions} placeholder={t('campaigns.creators.creator')} data-testid={testid} style={{ minWidth: 180 }} />
  )

  return (
    <div data-testid="tab-links">
      <Typography.Title level={5}>
        <LinkOutlined /> {t('links.links')}
      </Typography.Title>
      {writable && (
        <Form
          form={linkForm}
          layout="inline"
          style={{ rowGap: 8, marginBottom: 12 }}
          onFinish={(v) => addLink.mutate(v)}
          onValuesChange={(ch) => 'creator_id' in ch && linkForm.setFieldValue('account_id', undefined)}
        >
          <Form.Item name="creator_id" rules={[required]}>
            {creatorSelect('link-creator')}
          </Form.Item>
          <Form.Item name="account_id">
            <Select allowClear options={accountOptions(linkCreator)} placeholder={t('campaigns.account')} data-testid="link-account" style={{ minWidth: 180 }} />
          </Form.Item>
          <Form.Item name="destination_url" rules={[required, { type: 'url', message: t('products.urlInvalid') }]} style={{ flex: '1 1 200px', minWidth: 0, maxWidth: 420 }}>
            <Input inputMode="url" placeholder={t('links.destination')} data-testid="link-destination" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={addLink.isPending} data-testid="link-submit">
            {t('links.create')}
          </Button>
        </Form>
      )}
      {linkError && <Alert type="error" showIcon title={linkError} style={{ marginBottom: 12 }} data-testid="link-error" />}
      {links.isError && <Alert type="error" showIcon title={errorMessage(links.error, t)} />}
      <Table<TrackingLink>
        rowKey="id"
        size="small"
        data-testid="links-table"
        loading={links.isFetching}
        dataSource={links.data?.items ?? []}
        pagination={false}
        scroll={TABLE_SCROLL}
        columns={[
          { title: t('campaigns.creators.creator'), dataIndex: 'creator_id', render: (id: string) => people.creatorName(id) },
          { title: t('campaigns.account'), dataIndex: 'account_id', render: (id: string | null) => people.accountLabel(id) },
          {
            title: t('links.shortUrl'),
            dataIndex: 'short_url',
            render: (v: string, l) => (
              <Typography.Text copyable={{ text: absoluteShortUrl(v), tooltips: [t('common.copy'), t('common.copied')] }} data-testid="link-short-url" data-code={l.code}>
                {absoluteShortUrl(v)}
              </Typography.Text>
            ),
          },
          {
            title: t('links.destination'),
            dataIndex: 'destination_url',
            render: (v: string) => (
              <Typography.Text ellipsis={{ tooltip: v }} style={{ maxWidth: 260 }}>
                {v}
              </Typography.Text>
            ),
          },
          { title: t('links.clicks'), dataIndex: 'clicks', align: 'right', render: (n: number) => <span data-testid="link-clicks">{n}</span> },
          {
            title: t('links.active'),
            dataIndex: 'status',
            render: (s: string, l) => <Switch size="small" checked={s === 'active'} disabled={!writable} loading={toggle.isPending && toggle.variables?.id === l.id} onChange={() => toggle.mutate(l)} />,
          },
          {
            title: t('links.qr'),
            key: 'qr',
            render: (_, l) => <Button size="small" icon={<QrcodeOutlined />} onClick={() => setQr(l)} aria-label={t('links.qr')} data-testid="link-qr-open" />,
          },
        ]}
      />
      <Divider />
      <Typography.Title level={5}>
        <TagOutlined /> {t('links.codes')}
      </Typography.Title>
      {writable && (
        <Form
          form={codeForm}
          layout="inline"
          style={{ rowGap: 8, marginBottom: 12 }}
          onFinish={(v) => addCode.mutate(v)}
          onValuesChange={(ch) => 'creator_id' in ch && codeForm.setFieldValue('account_id', undefined)}
        >
          <Form.Item name="creator_id" rules={[required]}>
            {creatorSelect('code-creator')}
          </Form.Item>
          <Form.Item name="account_id">
            <Select allowClear options={accountOptions(codeCreator)} placeholder={t('campaigns.account')} data-testid="code-account" style={{ minWidth: 180 }} />
          </Form.Item>
          <Form.Item name="code" rules={[{ ...required, whitespace: true }]}>
            <Input placeholder={t('links.code')} data-testid="code-input" autoComplete="off" style={{ width: 180 }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={addCode.isPending} data-testid="code-submit">
            {t('links.createCode')}
          </Button>
        </Form>
      )}
      {codeError && <Alert type="error" showIcon title={codeError} style={{ marginBottom: 12 }} data-testid="code-error" />}
      <Table<PromoCode>
        rowKey="id"
        size="small"
        data-testid="codes-table"
        loading={codes.isFetching}
        dataSource={codes.data?.items ?? []}
        pagination={false}
        scroll={TABLE_SCROLL}
        columns={[
          {
            title: t('links.code'),
            dataIndex: 'code',
            render: (v: string) => (
              <Typography.Text code copyable={{ text: v }}>
                {v}
              </Typography.Text>
            ),
          },
          { title: t('campaigns.creators.creator'), dataIndex: 'creator_id', render: (id: string) => people.creatorName(id) },
          { title: t('campaigns.account'), dataIndex: 'account_id', render: (id: string | null) => people.accountLabel(id) },
          { title: t('links.active'), dataIndex: 'status', render: (s: string) => t(`links.status_${s}`) },
        ]}
      />
      <QrModal link={qr} onClose={() => setQr(null)} />
    </div>
  )
}
