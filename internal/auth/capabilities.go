package auth

import (
	"slices"

	"github.com/caravan-crm/caravan/internal/actor"
)

// Capabilities a role grants, as "object:verb". GET /api/v1/me sends the caller's, so the UI shows
// what the caller may do without a copy of the role sets; API key roles are derived from the same
// map (KeyRole), and the route table is meant to be too.
const (
	CapRead           = "data:read"       // read the organization's creators, campaigns, conversions…
	CapCreatorsWrite  = "creators:write"  // sellers' work: creators, campaigns, links, conversions
	CapUsersManage    = "users:manage"    // add users, change roles, disable
	CapOwnersManage   = "owners:manage"   // make or change an owner
	CapAPIKeysManage  = "api_keys:manage" // create and revoke API keys
	CapFinanceApprove = "finance:approve" // approve or reject conversions
	CapPeriodsClose   = "periods:close"   // close accounting periods
	CapPayoutsManage  = "payouts:manage"  // create and pay payouts
	CapReportsRead    = "reports:read"    // financial reports and statements
	CapAuditRead      = "audit:read"      // the audit log
	CapSettingsManage = "settings:manage" // organization settings, stores, platforms' secrets
)

// capabilities is the one place that says what each role may do. Roles are not a line: manager and
// finance each hold something the other lacks.
var capabilities = map[actor.Role][]string{
	actor.RoleOwner: {CapRead, CapCreatorsWrite, CapUsersManage, CapOwnersManage, CapAPIKeysManage, CapFinanceApprove,
		CapPeriodsClose, CapPayoutsManage, CapReportsRead, CapAuditRead, CapSettingsManage},
	actor.RoleAdmin: {CapRead, CapCreatorsWrite, CapUsersManage, CapAPIKeysManage, CapFinanceApprove,
		CapPeriodsClose, CapPayoutsManage, CapReportsRead, CapAuditRead, CapSettingsManage},
	actor.RoleManager: {CapRead, CapCreatorsWrite},
	actor.RoleFinance: {CapRead, CapFinanceApprove, CapPeriodsClose, CapPayoutsManage, CapReportsRead, CapAuditRead},
	actor.RoleViewer:  {CapRead},
}

// sortedCapabilities is capabilities with each list sorted, as Capabilities answers (GET /api/v1/me
// asks on every call).
var sortedCapabilities = func() map[actor.Role][]string {
	m := make(map[actor.Role][]string, len(capabilities))
	for r, cs := range capabilities {
		m[r] = slices.Sorted(slices.Values(cs))
	}
	return m
}()

// Capabilities returns what role may do, sorted; none for an unknown role.
func Capabilities(role actor.Role) []string {
	out := slices.Clone(sortedCapabilities[role])
	if out == nil {
		out = []string{}
	}
	return out
}

// Grants reports whether role holds capability.
func Grants(role actor.Role, capability string) bool {
	return slices.Contains(capabilities[role], capability)
}

// covers reports whether role a may do everything role b may.
func covers(a, b actor.Role) bool {
	for _, c := range capabilities[b] {
		if !Grants(a, c) {
			return false
		}
	}
	return true
}

// KeyRole is the role an API key acts with: at most its creator's current role. The rule, from the
// capabilities map:
//   - the creator still may do all the key's role may (an owner or admin, or the same role): the
//     key's role;
//   - the key's role covers the creator's (the creator is now a viewer, say): the creator's role;
//   - neither covers the other (a finance key made by someone now a manager, or the reverse): the
//     intersection of the two, which for our roles is read-only, viewer.
//
// An unknown creator role gives no role at all, so the key can do nothing.
func KeyRole(key, creator actor.Role) actor.Role {
	switch {
	case !key.Valid() || !creator.Valid():
		return ""
	case covers(creator, key):
		return key
	case covers(key, creator):
		return creator
	}
	// The largest role that fits in both, by number of capabilities; viewer always does.
	best := actor.RoleViewer
	for _, r := range actor.Roles {
		if covers(key, r) && covers(creator, r) && len(capabilities[r]) > len(capabilities[best]) {
			best = r
		}
	}
	return best
}
