// Pieces the creator and platform pages share: the platform catalogue (names from the API), tags
// for statuses and tiers, the agency list, and a searchable country select.
import { WarningOutlined } from '@ant-design/icons'
import { useQuery } from '@tanstack/react-query'
import { Flex, Select, Tag, Typography, type SelectProps } from 'antd'
import { useMemo } from 'react'
import { useTranslation } from 'react-i18next'
import { listAgencies, listCreatorTags, listPlatforms } from '../api/endpoints'
import type { AccountStatus, CreatorStatus, PlatformInfo, RiskLevel, Tier } from '../api/types'
import { queryKeys } from '../auth/session'
import { countryName, countryOptions } from '../countries'
import { tagSelectOptions } from './display'
import { creatorThreat, riskOf, type Threat } from './risk'

export function usePlatforms() {
  return useQuery({ queryKey: queryKeys.platforms, queryFn: listPlatforms, staleTime: 60_000 })
}

/** The platform's name in the UI language, from the catalogue (falls back to the key). */
export function platformName(key: string, catalogue: readonly PlatformInfo[] | undefined, lang: string): string {
  const p = catalogue?.find((c) => c.platform === key)
  if (!p) return key
  return lang.startsWith('zh') ? p.name_zh : p.name
}

export function usePlatformName() {
  const { i18n } = useTranslation()
  const platforms = usePlatforms()
  return (key: string) => platformName(key, platforms.data?.items, i18n.language)
}

export function usePlatformOptions() {
  const { i18n } = useTranslation()
  const platforms = usePlatforms()
  return (platforms.data?.items ?? []).map((p) => ({ value: p.platform, label: platformName(p.platform, platforms.data?.items, i18n.language) }))
}

const PLATFORM_COLORS: Record<string, string> = {
  tiktok: 'magenta',
  youtube: 'red',
  instagram: 'purple',
  rednote: 'volcano',
  facebook: 'blue',
  x: 'default',
  pinterest: 'red',
  snapchat: 'gold',
  twitch: 'purple',
  kwai: 'orange',
  douyin: 'cyan',
  bilibili: 'geekblue',
}

export function PlatformTag({
  platform,
  children,
  style,
  risk,
}: {
  platform: string
  children?: React.ReactNode
  style?: React.CSSProperties
  /** The platform's mark in the creator's country: the chip says so. */
  risk?: Threat
}) {
  const name = usePlatformName()
  const { t } = useTranslation()
  return (
    <Tag color={PLATFORM_COLORS[platform] ?? 'default'} data-testid={`platform-tag-${platform}`} style={style}>
      {name(platform)}
      {children}
      {risk && (
        <span data-testid="account-risk" data-level={risk} style={{ marginInlineStart: 4, fontWeight: 600, color: RISK_TEXT_COLORS[risk] }}>
          <WarningOutlined /> {t(`risk.${risk}`)}
        </span>
      )}
    </Tag>
  )
}

const RISK_TEXT_COLORS: Record<Threat, string> = { at_risk: '#d46b08', banned: '#cf1322' }

/** (platform, country) → its threat, from the organization's marks (GET /api/v1/platforms). */
export function useRisk(): (platform: string, country: string) => Threat | undefined {
  const platforms = usePlatforms()
  return (platform, country) => riskOf(platforms.data?.items, platform, country)
}

/** The worst threat over a creator's active accounts, from the organization's marks. */
export function useCreatorThreat(): (creator: Parameters<typeof creatorThreat>[1]) => Threat | undefined {
  const platforms = usePlatforms()
  return (creator) => creatorThreat(platforms.data?.items, creator)
}

export const STATUS_COLORS: Record<CreatorStatus, string> = {
  prospect: 'default',
  contacted: 'blue',
  negotiating: 'gold',
  active: 'green',
  paused: 'orange',
  churned: 'default',
  blocked: 'red',
}

export function StatusTag({ status }: { status: CreatorStatus }) {
  const { t } = useTranslation()
  return (
    <Tag color={STATUS_COLORS[status]} data-testid="creator-status-tag">
      {t(`creatorStatus.${status}`)}
    </Tag>
  )
}

const ACCOUNT_STATUS_COLORS: Record<AccountStatus, string> = { active: 'green', dormant: 'default', banned: 'red', migrated: 'blue' }

export function AccountStatusTag({ status }: { status: AccountStatus }) {
  const { t } = useTranslation()
  return <Tag color={ACCOUNT_STATUS_COLORS[status]}>{t(`accountStatus.${status}`)}</Tag>
}

const TIER_COLORS: Record<Tier, string> = { nano: 'default', micro: 'cyan', mid: 'blue', macro: 'purple', mega: 'gold' }

export function TierTag({ tier }: { tier: Tier }) {
  const { t } = useTranslation()
  return (
    <Tag color={TIER_COLORS[tier]} bordered={false}>
      {t(`tiers.${tier}`)}
    </Tag>
  )
}

const RISK_COLORS: Record<RiskLevel, string> = { ok: 'green', at_risk: 'orange', banned: 'red' }

export function RiskTag({ level, children, testid }: { level: RiskLevel; children?: React.ReactNode; testid?: string }) {
  const { t } = useTranslation()
  return (
    <Tag color={RISK_COLORS[level]} data-testid={testid} icon={level === 'ok' ? undefined : <WarningOutlined />}>
      {children ? <>{children} · </> : null}
      {t(`risk.${level}`)}
    </Tag>
  )
}

/** The organization's tags, most used first, as options for tag inputs. */
export function useTagOptions() {
  const tags = useQuery({ queryKey: queryKeys.creatorTags, queryFn: () => listCreatorTags(), staleTime: 30_000 })
  return useMemo(() => tagSelectOptions(tags.data?.items ?? []), [tags.data])
}

/** A tag input: the list shows how many creators carry each tag; a chosen chip shows the tag alone. */
export function TagSelect(props: SelectProps) {
  const options = useTagOptions()
  return (
    <Select
      mode="tags"
      tokenSeparators={[',']}
      options={options}
      optionRender={(o) => (
        <Flex justify="space-between" gap={8}>
          <span>{o.label}</span>
          {typeof o.data.creators === 'number' && <Typography.Text type="secondary">{o.data.creators}</Typography.Text>}
        </Flex>
      )}
      {...props}
    />
  )
}

/** Every agency of the organization (a seller has few; one page of 500 is plenty). */
export function useAgencies() {
  return useQuery({ queryKey: queryKeys.agencies, queryFn: () => listAgencies(), staleTime: 30_000 })
}

export function CountrySelect(props: SelectProps) {
  const { i18n } = useTranslation()
  const options = useMemo(() => countryOptions(i18n.language), [i18n.language])
  return <Select showSearch={{ optionFilterProp: 'label' }} options={options} {...props} />
}

export function CountryText({ code }: { code: string }) {
  const { i18n } = useTranslation()
  return <span title={code}>{countryName(code, i18n.language)}</span>
}
