import { CopyOutlined, PlusOutlined } from '@ant-design/icons'
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, type ButtonProps, Card, Flex, Form, Input, Modal, Popconfirm, Table, Tag, Typography } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { createApiKey, listApiKeys, revokeApiKey } from '../../api/endpoints'
import { applyFieldErrors, errorMessage } from '../../api/errors'
import type { ApiKey, CreatedApiKey } from '../../api/types'
import { queryKeys } from '../../auth/session'
import { formatDateTime } from '../../format'

export default function ApiKeysPage() {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const [creating, setCreating] = useState(false)
  const [created, setCreated] = useState<CreatedApiKey | null>(null)

  const keys = useInfiniteQuery({
    queryKey: queryKeys.apiKeys,
    queryFn: ({ pageParam }) => listApiKeys(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  })
  const rows = keys.data?.pages.flatMap((p) => p.items) ?? []

  const revoke = useMutation({
    mutationFn: (id: string) => revokeApiKey(id),
    onSuccess: () => {
      message.success(t('apiKeys.revoked'))
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys })
    },
    onError: (err) => message.error(errorMessage(err, t)),
  })

  const copy = async (text: string) => {
    try {
      if (navigator.clipboard) {
        await navigator.clipboard.writeText(text)
      } else {
        // The async clipboard needs a secure context; plain-HTTP deployments fall back to a selection.
        const box = document.querySelector<HTMLTextAreaElement>('[data-testid="api-key-value"]')
        box?.select()
        if (!document.execCommand('copy')) throw new Error('copy failed')
      }
      message.success(t('common.copied'))
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e))
    }
  }

  return (
    <Card
      title={<span data-testid="page-title">{t('apiKeys.title')}</span>}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="api-keys-create">
          {t('apiKeys.create')}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t('apiKeys.intro')}</Typography.Paragraph>
      {keys.isError && <Alert type="error" showIcon title={errorMessage(keys.error, t)} style={{ marginBottom: 16 }} />}
      <Table<ApiKey>
        scroll={{ x: 'max-content' }}
        rowKey="id"
        data-testid="api-keys-table"
        loading={keys.isPending}
        dataSource={rows}
        pagination={false}
        columns={[
          { title: t('apiKeys.name'), dataIndex: 'name' },
          { title: t('apiKeys.prefix'), dataIndex: 'prefix', render: (p: string) => <Typography.Text code>{p}…</Typography.Text> },
          { title: t('apiKeys.role'), dataIndex: 'role', render: (r: ApiKey['role']) => r && <Tag>{t(`roles.${r}`)}</Tag> },
          { title: t('apiKeys.createdAt'), dataIndex: 'created_at', render: (v: string) => formatDateTime(v, i18n.language) },
          {
            title: t('apiKeys.lastUsedAt'),
            dataIndex: 'last_used_at',
            render: (v: string | null) => (v ? formatDateTime(v, i18n.language) : t('common.never')),
          },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_, k) => (
              <Popconfirm title={t('apiKeys.confirmRevoke', { name: k.name })} onConfirm={() => revoke.mutate(k.id)}>
                <Button size="small" danger loading={revoke.isPending && revoke.variables === k.id}>
                  {t('apiKeys.revoke')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      {keys.hasNextPage && (
        <Flex justify="end" style={{ marginTop: 16 }}>
          <Button onClick={() => void keys.fetchNextPage()} loading={keys.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        </Flex>
      )}
      <CreateKeyModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(k) => {
          setCreating(false)
          setCreated(k)
          void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys })
        }}
      />
      {/* The secret exists only in this component's state and disappears when the modal closes. */}
      <Modal
        open={created !== null}
        title={t('apiKeys.createdTitle')}
        onCancel={() => setCreated(null)}
        footer={[
          <Button key="copy" icon={<CopyOutlined />} onClick={() => created && void copy(created.key)} data-testid="api-key-copy">
            {t('apiKeys.copyKey')}
          </Button>,
          <Button key="close" type="primary" onClick={() => setCreated(null)} data-testid="api-key-close">
            {t('common.close')}
          </Button>,
        ]}
        destroyOnHidden
      >
        <Alert type="warning" showIcon title={t('apiKeys.createdWarning')} style={{ marginBottom: 16 }} />
        <Input.TextArea readOnly autoSize value={created?.key ?? ''} data-testid="api-key-value" onFocus={(e) => e.target.select()} />
      </Modal>
    </Card>
  )
}

function CreateKeyModal(props: { open: boolean; onClose: () => void; onCreated: (k: CreatedApiKey) => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm<{ name: string }>()
  const [error, setError] = useState<string | null>(null)
  const create = useMutation({
    mutationFn: (name: string) => createApiKey(name.trim()),
    onSuccess: (k) => {
      form.resetFields()
      setError(null)
      props.onCreated(k)
    },
    onError: (err) => {
      applyFieldErrors(form, err, ['name'], t)
      setError(errorMessage(err, t))
    },
  })
  return (
    <Modal
      open={props.open}
      title={t('apiKeys.createTitle')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'api-key-submit' } as ButtonProps}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null)
        props.onClose()
      }}
      forceRender
    >
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => create.mutate(v.name)}>
        <Form.Item name="name" label={t('apiKeys.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input data-testid="api-key-name" placeholder={t('apiKeys.namePlaceholder')} maxLength={100} />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} />}
      </Form>
    </Modal>
  )
}
