// Platform risk where people work: an account is at risk when its platform is marked at risk or
// banned in its creator's country (GET /api/v1/platforms marks), the same rule as the list's
// exposed filter on the server.
import type { PlatformEntry, RiskLevel } from '../api/types'

export type Threat = Exclude<RiskLevel, 'ok'>

/** The mark on platform in country, when it is at risk or banned. */
export function riskOf(entries: readonly PlatformEntry[] | undefined, platform: string, country: string): Threat | undefined {
  const level = entries?.find((e) => e.platform === platform)?.marks.find((m) => m.country === country)?.level
  return level === 'at_risk' || level === 'banned' ? level : undefined
}

/** The worst threat over a creator's active accounts (banned beats at risk), if any. */
export function creatorThreat(
  entries: readonly PlatformEntry[] | undefined,
  creator: { country: string; accounts: readonly { platform: string; status: string }[] },
): Threat | undefined {
  let worst: Threat | undefined
  for (const a of creator.accounts) {
    if (a.status !== 'active') continue
    const r = riskOf(entries, a.platform, creator.country)
    if (r === 'banned') return r
    worst ??= r
  }
  return worst
}
