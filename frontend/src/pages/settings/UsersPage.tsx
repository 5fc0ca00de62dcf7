import { PlusOutlined } from '@ant-design/icons'
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { Alert, App as AntApp, Button, type ButtonProps, Card, Flex, Form, Input, Modal, Popconfirm, Select, Table, Tag } from 'antd'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { createUser, listUsers, updateUser } from '../../api/endpoints'
import { applyFieldErrors, errorMessage } from '../../api/errors'
import { ROLES, type CreateUserRequest, type UpdateUserRequest, type User } from '../../api/types'
import { queryKeys, useCan, useMe } from '../../auth/session'
import { formatDateTime } from '../../format'
import { newPasswordRules, PASSWORD_MIN } from '../../auth/password'

export default function UsersPage() {
  const { t, i18n } = useTranslation()
  const { message } = AntApp.useApp()
  const queryClient = useQueryClient()
  const me = useMe()
  const [creating, setCreating] = useState(false)

  const users = useInfiniteQuery({
    queryKey: queryKeys.users,
    queryFn: ({ pageParam }) => listUsers(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  })
  const rows = users.data?.pages.flatMap((p) => p.items) ?? []
  const total = users.data?.pages[0]?.total

  const update = useMutation({
    mutationFn: ({ id, req }: { id: string; req: UpdateUserRequest }) => updateUser(id, req),
    onSuccess: () => {
      message.success(t('users.updated'))
      void queryClient.invalidateQueries({ queryKey: queryKeys.users })
    },
    onError: (err) => message.error(errorMessage(err, t)),
  })

  const can = useCan()
  // Only who may manage owners (the server says: owners:manage) is offered the owner role.
  const roleOptions = ROLES.map((r) => ({ value: r, label: t(`roles.${r}`), disabled: r === 'owner' && !can('owners:manage') }))
  const myId = me.data?.user.id

  return (
    <Card
      title={<span data-testid="page-title">{t('users.title')}</span>}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="users-create">
          {t('users.create')}
        </Button>
      }
    >
      {users.isError && <Alert type="error" showIcon title={errorMessage(users.error, t)} style={{ marginBottom: 16 }} />}
      <Table<User>
        scroll={{ x: 'max-content' }}
        rowKey="id"
        data-testid="users-table"
        loading={users.isPending}
        dataSource={rows}
        pagination={false}
        columns={[
          {
            title: t('users.name'),
            dataIndex: 'name',
            render: (name: string, u) => (u.id === myId ? `${name} (${t('users.you')})` : name),
          },
          { title: t('users.email'), dataIndex: 'email' },
          {
            title: t('users.role'),
            dataIndex: 'role',
            render: (_, u) => (
              <Select
                size="small"
                style={{ minWidth: 110 }}
                value={u.role}
                options={roleOptions}
                disabled={u.id === myId || update.isPending}
                onChange={(role) => update.mutate({ id: u.id, req: { role } })}
                aria-label={t('users.role')}
              />
            ),
          },
          {
            title: t('users.status'),
            dataIndex: 'status',
            render: (s: User['status']) => <Tag color={s === 'active' ? 'green' : 'default'}>{t(`status.${s}`)}</Tag>,
          },
          { title: t('users.createdAt'), dataIndex: 'created_at', render: (v: string) => formatDateTime(v, i18n.language) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_, u) =>
              u.id === myId ? null : u.status === 'active' ? (
                <Popconfirm
                  title={t('users.confirmDisable', { name: u.name })}
                  onConfirm={() => update.mutate({ id: u.id, req: { status: 'disabled' } })}
                >
                  <Button size="small" danger>
                    {t('users.disable')}
                  </Button>
                </Popconfirm>
              ) : (
                <Button size="small" onClick={() => update.mutate({ id: u.id, req: { status: 'active' } })}>
                  {t('users.enable')}
                </Button>
              ),
          },
        ]}
      />
      <Flex justify="space-between" align="center" style={{ marginTop: 16 }}>
        <span>{total !== undefined && t('common.total', { count: total })}</span>
        {users.hasNextPage && (
          <Button onClick={() => void users.fetchNextPage()} loading={users.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        )}
      </Flex>
      <CreateUserModal
        roleOptions={roleOptions}
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(u) => {
          setCreating(false)
          message.success(t('users.created', { name: u.name }))
          void queryClient.invalidateQueries({ queryKey: queryKeys.users })
        }}
      />
    </Card>
  )
}

const CREATE_FIELDS = ['email', 'name', 'role', 'password'] as const

function CreateUserModal(props: {
  open: boolean
  roleOptions: { value: string; label: string; disabled?: boolean }[]
  onClose: () => void
  onCreated: (u: User) => void
}) {
  const { t } = useTranslation()
  const [form] = Form.useForm<CreateUserRequest>()
  const [error, setError] = useState<string | null>(null)
  const create = useMutation({
    mutationFn: (req: CreateUserRequest) => createUser({ ...req, email: req.email.trim(), name: req.name.trim() }),
    onSuccess: (u) => {
      form.resetFields()
      setError(null)
      props.onCreated(u)
    },
    onError: (err) => {
      applyFieldErrors(form, err, CREATE_FIELDS, t)
      setError(errorMessage(err, t))
    },
  })
  const required = { required: true, message: t('common.required') }
  return (
    <Modal
      open={props.open}
      title={t('users.createTitle')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'user-submit' } as ButtonProps}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null)
        props.onClose()
      }}
      forceRender
    >
      <Form<CreateUserRequest>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ role: 'manager' }}
        onFinish={(v) => {
          setError(null)
          create.mutate(v)
        }}
      >
        <Form.Item name="email" label={t('users.email')} rules={[required, { type: 'email', message: t('common.emailInvalid') }]}>
          <Input data-testid="user-email" inputMode="email" autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label={t('users.name')} rules={[{ ...required, whitespace: true }]}>
          <Input data-testid="user-name" autoComplete="off" />
        </Form.Item>
        <Form.Item name="role" label={t('users.role')} rules={[required]}>
          <Select data-testid="user-role" options={props.roleOptions} />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('users.password')}
          rules={newPasswordRules(t)}
          extra={t('common.passwordHint', { min: PASSWORD_MIN })}
        >
          <Input.Password data-testid="user-password" autoComplete="new-password" />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} />}
      </Form>
    </Modal>
  )
}
