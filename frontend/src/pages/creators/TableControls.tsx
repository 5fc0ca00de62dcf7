// The creators table's column chooser and saved views (creators/views.ts), kept in this browser for
// the signed-in user.
import { CheckOutlined, DeleteOutlined, EyeOutlined, SaveOutlined, SettingOutlined } from '@ant-design/icons'
import { App as AntApp, Button, Checkbox, Flex, Input, Popover, Space, Typography } from 'antd'
import type { ColumnsType } from 'antd/es/table'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useMe } from '../../auth/session'
import {
  addView,
  CREATOR_COLUMNS,
  cleanColumns,
  currentView,
  loadPrefs,
  MAX_VIEW_NAME,
  removeView,
  REQUIRED_COLUMNS,
  savePrefs,
  type CreatorColumn,
  type CreatorTablePrefs,
  type SavedView,
} from '../../creators/views'

/** localStorage, or nothing where the browser refuses it (some private modes throw on access). */
function storage(): Storage | undefined {
  try {
    return window.localStorage
  } catch {
    return undefined
  }
}

/** The signed-in user's table preferences and a setter that also stores them. */
export function useCreatorTablePrefs(): [CreatorTablePrefs, (p: CreatorTablePrefs) => void] {
  const userId = useMe().data?.user.id ?? ''
  const [state, setState] = useState(() => ({ user: userId, prefs: loadPrefs(storage(), userId) }))
  const prefs = state.user === userId ? state.prefs : loadPrefs(storage(), userId)
  const update = (p: CreatorTablePrefs) => {
    setState({ user: userId, prefs: p })
    if (userId) savePrefs(storage(), userId, p)
  }
  return [prefs, update]
}

/** The table's columns the user chose to see (each column's key is a CreatorColumn). */
export function visibleColumns<T>(shown: readonly CreatorColumn[], columns: ColumnsType<T>): ColumnsType<T> {
  const keep = new Set<string>(shown)
  return columns.filter((c) => keep.has(String(c.key)))
}

export const COLUMN_LABELS: Record<CreatorColumn, string> = {
  display_name: 'creators.displayName',
  country: 'creators.country',
  status: 'creators.status',
  accounts: 'creators.accounts',
  followers: 'creators.followers',
  tags: 'creators.tags',
  owner: 'creators.ownerAgency',
  created_at: 'creators.createdAt',
}

export function ColumnsButton({ columns, onChange }: { columns: CreatorColumn[]; onChange: (c: CreatorColumn[]) => void }) {
  const { t } = useTranslation()
  const hidden = CREATOR_COLUMNS.length - columns.length
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      title={t('creators.table.columns')}
      content={
        <Flex vertical gap={8} data-testid="creators-columns">
          <Checkbox.Group
            value={columns}
            onChange={(v) => onChange(cleanColumns(v))}
            style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
            options={CREATOR_COLUMNS.map((c) => ({
              value: c,
              disabled: REQUIRED_COLUMNS.includes(c),
              label: <span data-testid={`column-${c}`}>{t(COLUMN_LABELS[c])}</span>,
            }))}
          />
          {hidden > 0 && (
            <Button size="small" type="link" style={{ alignSelf: 'flex-start', padding: 0 }} onClick={() => onChange([...CREATOR_COLUMNS])} data-testid="columns-reset">
              {t('creators.table.columnsReset')}
            </Button>
          )}
        </Flex>
      }
    >
      <Button icon={<SettingOutlined />} data-testid="creators-columns-button">
        {t('creators.table.columns')}
        {hidden > 0 && ` (${columns.length}/${CREATOR_COLUMNS.length})`}
      </Button>
    </Popover>
  )
}

export function ViewsButton(props: {
  prefs: CreatorTablePrefs
  search: string
  columns: CreatorColumn[]
  onPrefs: (p: CreatorTablePrefs) => void
  onApply: (v: SavedView) => void
}) {
  const { t } = useTranslation()
  const { message } = AntApp.useApp()
  const [open, setOpen] = useState(false)
  const [name, setName] = useState('')
  const current = currentView(props.prefs, props.search, props.columns)
  const save = () => {
    const n = name.trim()
    if (!n) return
    props.onPrefs(addView(props.prefs, n, props.search, props.columns))
    setName('')
    message.success(t('creators.table.viewSaved', { name: n }))
  }
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={setOpen}
      title={t('creators.table.viewsTitle')}
      content={
        <Flex vertical gap={8} style={{ width: 280, maxWidth: '80vw' }} data-testid="creators-views">
          {props.prefs.views.length === 0 ? (
            <Typography.Text type="secondary" data-testid="views-empty">
              {t('creators.table.viewsEmpty')}
            </Typography.Text>
          ) : (
            props.prefs.views.map((v) => (
              <Flex key={v.name} align="center" justify="space-between" gap={4} data-testid="view-item">
                <Button
                  type="link"
                  icon={v === current ? <CheckOutlined /> : undefined}
                  style={{ padding: 0, minWidth: 0, fontWeight: v === current ? 600 : undefined }}
                  onClick={() => {
                    props.onApply(v)
                    setOpen(false)
                  }}
                  data-testid="view-apply"
                >
                  <Typography.Text ellipsis style={{ maxWidth: 220, color: 'inherit' }}>
                    {v.name}
                  </Typography.Text>
                </Button>
                <Button
                  size="small"
                  type="text"
                  icon={<DeleteOutlined />}
                  aria-label={t('creators.table.deleteView', { name: v.name })}
                  title={t('creators.table.deleteView', { name: v.name })}
                  onClick={() => props.onPrefs(removeView(props.prefs, v.name))}
                  data-testid="view-delete"
                />
              </Flex>
            ))
          )}
          <Space.Compact style={{ width: '100%' }}>
            <Input
              value={name}
              maxLength={MAX_VIEW_NAME}
              placeholder={t('creators.table.viewName')}
              onChange={(e) => setName(e.target.value)}
              onPressEnter={save}
              data-testid="view-name"
            />
            <Button type="primary" icon={<SaveOutlined />} disabled={!name.trim()} onClick={save} data-testid="view-save">
              {t('creators.table.saveView')}
            </Button>
          </Space.Compact>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('creators.table.onlyHere')}
          </Typography.Text>
        </Flex>
      }
    >
      <Button icon={<EyeOutlined />} data-testid="creators-views-button">
        <span style={{ maxWidth: 160, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
          {current ? current.name : t('creators.table.views')}
        </span>
      </Button>
    </Popover>
  )
}
