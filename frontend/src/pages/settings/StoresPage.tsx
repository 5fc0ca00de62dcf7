import type { ButtonProps } from 'antd'
import { DisconnectOutlined, PlusOutlined } from '@ant-design/icons'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, Card, Flex, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { createStore, deleteStore, listStores } from '../../api/endpoints'
import { errorMessage } from '../../api/errors'
import type { NewStore, Store } from '../../api/types'
import { formError, TABLE_SCROLL } from '../../campaigns/shared'
import { formatInZone } from '../../orders/format'
import { orderKeys, useOrderRights, useOrgZone } from '../../orders/shared'

/** Shopify connections: where each shop sends its order webhooks, and whether they arrive. */
export default function StoresPage() {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const rights = useOrderRights()
  const zone = useOrgZone()
  const [connecting, setConnecting] = useState(false)
  const stores = useQuery({ queryKey: orderKeys.stores, queryFn: listStores })
  const remove = useMutation({
    mutationFn: (id: string) => deleteStore(id),
    onSuccess: () => {
      message.success(t('stores.disconnected'))
      void queryClient.invalidateQueries({ queryKey: orderKeys.stores })
    },
    onError: (err) => message.error(errorMessage(err, t)),
  })
  return (
    <Card
      data-testid="page-stores"
      title={<span data-testid="page-title">{t('stores.title')}</span>}
      extra={
        rights.stores && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setConnecting(true)} data-testid="stores-connect">
            {t('stores.connect')}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t('stores.intro')}</Typography.Paragraph>
      {stores.isError && <Alert type="error" showIcon title={errorMessage(stores.error, t)} style={{ marginBottom: 16 }} />}
      <Table<Store>
        rowKey="id"
        data-testid="stores-table"
        loading={stores.isFetching}
        dataSource={stores.data?.items ?? []}
        pagination={false}
        scroll={TABLE_SCROLL}
        locale={{ emptyText: rights.stores ? t('stores.emptyAdmin') : t('stores.empty') }}
        onRow={(s) => ({ 'data-testid': `store-row-${s.domain}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          {
            title: t('stores.name'),
            key: 'name',
            render: (_, s) => (
              <Space orientation="vertical" size={0}>
                <Typography.Text strong>{s.name}</Typography.Text>
                <Typography.Text type="secondary">{s.domain}</Typography.Text>
              </Space>
            ),
          },
          {
            title: t('stores.webhookUrl'),
            dataIndex: 'webhook_url',
            render: (v: string) => (
              <Typography.Text code copyable={{ text: v }} data-testid="store-webhook-url" style={{ whiteSpace: 'nowrap' }}>
                {v}
              </Typography.Text>
            ),
          },
          {
            title: t('stores.topics'),
            dataIndex: 'topics',
            render: (topics: string[]) => (
              <Flex gap={4} wrap style={{ minWidth: 140 }}>
                {topics.map((x) => (
                  <Tag key={x}>{x}</Tag>
                ))}
              </Flex>
            ),
          },
          { title: t('stores.deliveries'), dataIndex: 'deliveries', align: 'right', render: (n: number) => <span data-testid="store-deliveries">{n}</span> },
          {
            title: t('stores.lastDelivery'),
            dataIndex: 'last_delivery_at',
            render: (v: string | null) => <span style={{ whiteSpace: 'nowrap' }}>{v ? formatInZone(v, i18n.language, zone) : t('common.never')}</span>,
          },
          ...(rights.stores
            ? [
                {
                  title: t('common.actions'),
                  key: 'actions',
                  render: (_: unknown, s: Store) => (
                    <Popconfirm
                      title={t('stores.confirmDisconnect', { name: s.name })}
                      okText={t('stores.disconnect')}
                      cancelText={t('common.cancel')}
                      okButtonProps={{ danger: true, 'data-testid': 'store-disconnect-confirm' } as ButtonProps}
                      onConfirm={() => remove.mutate(s.id)}
                    >
                      <Button size="small" danger icon={<DisconnectOutlined />} loading={remove.isPending && remove.variables === s.id} data-testid="store-disconnect">
                        {t('stores.disconnect')}
                      </Button>
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
        {t('stores.howTo')}
      </Typography.Paragraph>
      <ConnectModal
        open={connecting}
        onClose={() => setConnecting(false)}
        onCreated={(s) => {
          setConnecting(false)
          message.success(t('stores.connected', { name: s.name }))
          void queryClient.invalidateQueries({ queryKey: orderKeys.stores })
        }}
      />
    </Card>
  )
}

function ConnectModal(props: { open: boolean; onClose: () => void; onCreated: (s: Store) => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm<NewStore>()
  const [error, setError] = useState<string | null>(null)
  const create = useMutation({
    mutationFn: (v: NewStore) => createStore({ name: v.name.trim(), kind: 'shopify', domain: v.domain.trim(), webhook_secret: v.webhook_secret.trim() }),
    onSuccess: (s) => {
      form.resetFields()
      setError(null)
      props.onCreated(s)
    },
    onError: (err) => setError(formError(form, err, ['name', 'domain', 'webhook_secret'], t)),
  })
  return (
    <Modal
      open={props.open}
      title={t('stores.connectTitle')}
      okText={t('stores.connectSubmit')}
      cancelText={t('common.cancel')}
      okButtonProps={{ 'data-testid': 'store-submit' } as ButtonProps}
      confirmLoading={create.isPending}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null)
        props.onClose()
      }}
      forceRender
    >
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => create.mutate(v)}>
        <Form.Item name="name" label={t('stores.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input maxLength={200} placeholder={t('stores.namePlaceholder')} data-testid="store-name" />
        </Form.Item>
        <Form.Item name="domain" label={t('stores.domain')} extra={t('stores.domainHelp')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input maxLength={255} placeholder="my-shop.myshopify.com" data-testid="store-domain" />
        </Form.Item>
        <Form.Item
          name="webhook_secret"
          label={t('stores.secret')}
          extra={t('stores.secretHelp')}
          rules={[
            { required: true, whitespace: true, message: t('common.required') },
            { min: 16, message: t('stores.secretTooShort') },
          ]}
        >
          <Input.Password autoComplete="off" data-testid="store-secret" />
        </Form.Item>
        <Alert type="warning" showIcon title={t('stores.secretOnce')} />
        {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} data-testid="store-error" />}
      </Form>
    </Modal>
  )
}
