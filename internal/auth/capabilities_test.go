package auth

import (
	"testing"

	"github.com/caravan-crm/caravan/internal/actor"
)

func TestAPIKeyRoleIsAtMostItsCreatorsRole(t *testing.T) {
	const o, a, m, f, v = actor.RoleOwner, actor.RoleAdmin, actor.RoleManager, actor.RoleFinance, actor.RoleViewer
	cases := []struct{ key, creator, want actor.Role }{
		{m, o, m}, {f, o, f}, {v, o, v},
		{m, a, m}, {f, a, f}, {v, a, v},
		{m, m, m}, {f, f, f},
		{m, f, v}, {f, m, v}, // neither covers the other: read only
		{m, v, v}, {f, v, v}, {v, v, v}, {v, m, v}, {v, f, v},
		{m, "emperor", ""}, {"emperor", o, ""},
	}
	for _, c := range cases {
		if got := KeyRole(c.key, c.creator); got != c.want {
			t.Errorf("key %s made by a user now %s acts as %q, want %q", c.key, c.creator, got, c.want)
		}
	}
}

func TestEveryRoleHasCapabilitiesAndOwnerHasThemAll(t *testing.T) {
	all := map[string]bool{}
	for _, r := range actor.Roles {
		if len(Capabilities(r)) == 0 {
			t.Errorf("%s has no capabilities", r)
		}
		for _, c := range Capabilities(r) {
			all[c] = true
			if !Grants(actor.RoleOwner, c) {
				t.Errorf("owner lacks %s, which %s has", c, r)
			}
		}
	}
	if len(all) != len(Capabilities(actor.RoleOwner)) {
		t.Errorf("owner has %d capabilities of %d", len(Capabilities(actor.RoleOwner)), len(all))
	}
	if !covers(actor.RoleAdmin, actor.RoleFinance) || !covers(actor.RoleAdmin, actor.RoleManager) || covers(actor.RoleManager, actor.RoleFinance) {
		t.Error("admin must cover manager and finance; manager must not cover finance")
	}
}
