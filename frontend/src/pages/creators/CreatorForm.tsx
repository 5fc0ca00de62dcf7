import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Alert, Button, type ButtonProps, Col, Drawer, Form, Input, InputNumber, Modal, Row, Select, Space, type FormInstance } from 'antd'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { mergeUntouched } from '../../api/concurrency'
import { createCreator, getCreator, listUsers, updateCreator } from '../../api/endpoints'
import { applyNestedFieldErrors, errorMessage } from '../../api/errors'
import { CREATOR_STATUSES, PAYOUT_METHODS, type Creator } from '../../api/types'
import { queryKeys, useCan } from '../../auth/session'
import { COMMON_CURRENCIES, COMMON_LANGUAGES, languageName } from '../../countries'
import { currencyName } from '../../format'
import {
  CREATOR_FORM_FIELDS,
  FIELD_RENAMES,
  PAYOUT_ACCOUNT_MAX,
  PAYOUT_HOLDER_MAX,
  creatorChange,
  creatorValues,
  guessPlatform,
  newCreatorBody,
  payoutAccountProblem,
  type CreatorValues,
} from '../../creators/form'
import { CountrySelect, TagSelect, useAgencies, usePlatformOptions } from '../../creators/shared'
import { useVersionConflict } from '../../components/useVersionConflict'

/** The creator's own fields, shared by the new-creator modal and the edit drawer. */
function CreatorFields({ ownerName }: { ownerName?: string | null }) {
  const { t, i18n } = useTranslation()
  const agencies = useAgencies()
  // Picking the owner (负责人) needs the users list, which only users:manage may read; the others
  // see who it is.
  const manageUsers = useCan()('users:manage')
  const users = useQuery({
    queryKey: [...queryKeys.users, 'owner-options'],
    queryFn: () => listUsers(),
    enabled: manageUsers,
    staleTime: 60_000,
  })
  const required = { required: true, message: t('common.required') }
  return (
    <>
      <Row gutter={16}>
        <Col xs={24} sm={12}>
          <Form.Item name="display_name" label={t('creators.displayName')} rules={[{ ...required, whitespace: true }]}>
            <Input data-testid="creator-name" autoComplete="off" maxLength={200} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="country" label={t('creators.country')} rules={[required]}>
            <CountrySelect data-testid="creator-country" placeholder={t('creators.countryPlaceholder')} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col xs={24} sm={12}>
          <Form.Item name="email" label={t('creators.email')} rules={[{ type: 'email', message: t('common.emailInvalid') }]}>
            <Input data-testid="creator-email" inputMode="email" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="phone" label={t('creators.phone')}>
            <Input data-testid="creator-phone" inputMode="tel" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="wechat" label={t('creators.wechat')}>
            <Input autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="whatsapp" label={t('creators.whatsapp')}>
            <Input autoComplete="off" />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col xs={24} sm={12}>
          <Form.Item name="status" label={t('creators.status')}>
            <Select
              data-testid="creator-status"
              options={CREATOR_STATUSES.map((s) => ({ value: s, label: t(`creatorStatus.${s}`) }))}
            />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="languages" label={t('creators.languages')}>
            <Select
              mode="tags"
              tokenSeparators={[',', ' ']}
              options={COMMON_LANGUAGES.map((l) => ({ value: l, label: `${languageName(l, i18n.language)} (${l})` }))}
              optionFilterProp="label"
            />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="tags" label={t('creators.tags')}>
            <TagSelect data-testid="creator-tags" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="agency_id" label={t('creators.agency')}>
            <Select
              allowClear
              loading={agencies.isPending}
              options={(agencies.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))}
              placeholder={t('creators.noAgency')}
              data-testid="creator-agency"
            />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          {manageUsers ? (
            <Form.Item name="owner_id" label={t('creators.owner')}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                loading={users.isPending}
                options={(users.data?.items ?? [])
                  .filter((u) => u.status === 'active')
                  .map((u) => ({ value: u.id, label: `${u.name} · ${u.email}` }))}
                placeholder={t('creators.noOwner')}
                data-testid="creator-owner"
              />
            </Form.Item>
          ) : (
            ownerName !== undefined && (
              <Form.Item label={t('creators.owner')}>
                <span data-testid="creator-owner-readonly">{ownerName ?? '—'}</span>
              </Form.Item>
            )
          )}
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="payout_currency" label={t('creators.payoutCurrency')}>
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              options={COMMON_CURRENCIES.map((c) => ({ value: c, label: `${c} · ${currencyName(c, i18n.language)}` }))}
            />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="default_rate_percent" label={t('creators.defaultRate')} tooltip={t('creators.defaultRateHelp')}>
            <InputNumber min={0} max={100} step={0.5} precision={2} suffix="%" style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <PayoutFields />
      <Form.Item name="notes" label={t('creators.notes')}>
        <Input.TextArea rows={2} maxLength={5000} />
      </Form.Item>
    </>
  )
}

/** How the creator is paid: the method, the account there (its label follows the method) and the holder. */
function PayoutFields() {
  const { t } = useTranslation()
  const form = Form.useFormInstance<CreatorValues>()
  const method = Form.useWatch('payout_method', form)
  const accountLabel =
    method === 'paypal'
      ? t('creators.payoutAccountPaypal')
      : method === 'wise'
        ? t('creators.payoutAccountWise')
        : method === 'bank'
          ? t('creators.payoutAccountBank')
          : t('creators.payoutAccount')
  return (
    <Row gutter={16} data-testid="creator-payout">
      <Col xs={24} sm={8}>
        <Form.Item name="payout_method" label={t('creators.payoutMethod')}>
          <Select
            allowClear
            placeholder={t('creators.payoutMethodNone')}
            options={PAYOUT_METHODS.map((m) => ({ value: m, label: <span data-testid={`payout-method-${m}`}>{t(`creators.payoutMethods.${m}`)}</span> }))}
            data-testid="creator-payout-method"
          />
        </Form.Item>
      </Col>
      <Col xs={24} sm={8}>
        <Form.Item
          name="payout_account"
          label={accountLabel}
          dependencies={['payout_method']}
          rules={[
            ({ getFieldValue }) => ({
              validator: (_, value: string | undefined) => {
                const problem = payoutAccountProblem(getFieldValue('payout_method'), value)
                return problem ? Promise.reject(new Error(t(`creators.${problem}`))) : Promise.resolve()
              },
            }),
          ]}
        >
          <Input
            data-testid="creator-payout-account"
            autoComplete="off"
            maxLength={PAYOUT_ACCOUNT_MAX}
            inputMode={method === 'paypal' ? 'email' : 'text'}
            spellCheck={false}
          />
        </Form.Item>
      </Col>
      <Col xs={24} sm={8}>
        <Form.Item
          name="payout_holder"
          label={t('creators.payoutHolder')}
          tooltip={t('creators.payoutHolderHelp')}
          rules={[{ max: PAYOUT_HOLDER_MAX, message: t('creators.payoutHolderTooLong') }]}
        >
          <Input data-testid="creator-payout-holder" autoComplete="off" maxLength={PAYOUT_HOLDER_MAX} />
        </Form.Item>
      </Col>
    </Row>
  )
}

function AccountsFields() {
  const { t } = useTranslation()
  const platformOptions = usePlatformOptions()
  const form = Form.useFormInstance<CreatorValues>()
  return (
    <Form.List name="accounts">
      {(fields, { add, remove }) => (
        <>
          <div style={{ marginBottom: 8, fontWeight: 500 }}>{t('creators.accounts')}</div>
          {fields.map(({ key, name }) => (
            <Space key={key} align="start" style={{ display: 'flex' }} wrap>
              <Form.Item name={[name, 'platform']} style={{ width: 170 }}>
                <Select
                  data-testid={`account-platform-${name}`}
                  options={platformOptions}
                  allowClear
                  placeholder={t('creators.platformAuto')}
                />
              </Form.Item>
              <Form.Item name={[name, 'handle']} style={{ width: 260 }}>
                <Input
                  data-testid={`account-handle-${name}`}
                  placeholder={t('creators.handlePlaceholder')}
                  autoComplete="off"
                  onChange={(e) => {
                    // A pasted profile address names its platform: it wins over what was picked.
                    const guess = guessPlatform(e.target.value)
                    if (guess) form.setFieldValue(['accounts', name, 'platform'], guess)
                  }}
                />
              </Form.Item>
              <Form.Item name={[name, 'followers']} style={{ width: 140 }}>
                <InputNumber data-testid={`account-followers-${name}`} min={0} precision={0} placeholder={t('creators.followers')} style={{ width: '100%' }} />
              </Form.Item>
              {fields.length > 1 && (
                <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(name)} aria-label={t('common.remove')} />
              )}
            </Space>
          ))}
          <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} data-testid="account-add-row">
            {t('creators.addAccountRow')}
          </Button>
        </>
      )}
    </Form.List>
  )
}

function showErrors(form: FormInstance, err: unknown, t: ReturnType<typeof useTranslation>['t']): string {
  const unmatched = applyNestedFieldErrors(form, err, CREATOR_FORM_FIELDS, t, FIELD_RENAMES)
  const extra = Object.entries(unmatched).map(([k, v]) => `${k}: ${v}`)
  return [errorMessage(err, t), ...extra].join(' ')
}

export function NewCreatorModal(props: { open: boolean; onClose: () => void; onCreated: (c: Creator) => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm<CreatorValues>()
  const [error, setError] = useState<string | null>(null)
  const queryClient = useQueryClient()
  const create = useMutation({
    mutationFn: (v: CreatorValues) => createCreator(newCreatorBody(v)),
    onSuccess: (c) => {
      form.resetFields()
      setError(null)
      void queryClient.invalidateQueries({ queryKey: queryKeys.creators })
      props.onCreated(c)
    },
    onError: (err) => setError(showErrors(form, err, t)),
  })
  return (
    <Modal
      open={props.open}
      title={t('creators.createTitle')}
      width={760}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'creator-submit' } as ButtonProps}
      onOk={() => form.submit()}
      onCancel={() => {
        setError(null)
        props.onClose()
      }}
      forceRender
      destroyOnHidden={false}
    >
      <Form<CreatorValues>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ status: 'prospect', accounts: [{}] }}
        onFinish={(v) => {
          setError(null)
          create.mutate(v)
        }}
        data-testid="creator-form"
      >
        <CreatorFields />
        <AccountsFields />
        {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} data-testid="creator-form-error" />}
      </Form>
    </Modal>
  )
}

export function EditCreatorDrawer(props: { creator: Creator; open: boolean; onClose: () => void }) {
  const { t } = useTranslation()
  const [form] = Form.useForm<CreatorValues>()
  const [error, setError] = useState<string | null>(null)
  const queryClient = useQueryClient()
  const { creator, open } = props
  const onConflict = useVersionConflict()
  // The record the form's values came from: the change is computed against it and its version
  // goes as If-Match. It moves only when the drawer opens or the user reloads after a conflict, so
  // a background refetch never wipes what the user is typing.
  const [base, setBase] = useState(creator)
  const latest = useRef(creator)
  latest.current = creator
  useEffect(() => {
    if (open) {
      form.resetFields()
      form.setFieldsValue(creatorValues(latest.current))
      setBase(latest.current)
      setError(null)
    }
  }, [open, creator.id, form])
  const reload = async () => {
    const fresh = await queryClient.fetchQuery({
      queryKey: queryKeys.creator(creator.id),
      queryFn: () => getCreator(creator.id),
      staleTime: 0,
    })
    form.setFieldsValue(mergeUntouched(form.getFieldsValue(), creatorValues(base), creatorValues(fresh)))
    setBase(fresh)
    setError(null)
  }
  const save = useMutation({
    mutationFn: (v: CreatorValues) => updateCreator(base.id, base.version, creatorChange(base, v)),
    onSuccess: (c) => {
      queryClient.setQueryData(queryKeys.creator(c.id), c)
      void queryClient.invalidateQueries({ queryKey: queryKeys.creators })
      void queryClient.invalidateQueries({ queryKey: queryKeys.timeline(c.id) })
      props.onClose()
    },
    onError: (err) => {
      if (!onConflict(err, reload)) setError(showErrors(form, err, t))
    },
  })
  return (
    <Drawer
      open={open}
      onClose={props.onClose}
      title={t('creators.editTitle', { name: creator.display_name })}
      size={720}
      forceRender
      extra={
        <Space>
          <Button onClick={props.onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="creator-edit-submit">
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      <Form<CreatorValues> form={form} layout="vertical" requiredMark={false} onFinish={(v) => save.mutate(v)}>
        <CreatorFields ownerName={creator.owner_name ?? null} />
        {error && <Alert type="error" showIcon title={error} />}
      </Form>
    </Drawer>
  )
}
