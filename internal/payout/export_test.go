package payout

import (
	"cmp"
	"context"
	"slices"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/ledger"
)

// StatementsByEntry is the straightforward computation the statements were first written as: read
// every entry of the range, classify each by its conversion (classify, the Go rule), and add it up
// in Go. The property test holds Statements (summed in the database) to it.
func (s *Service) StatementsByEntry(ctx context.Context, p actor.Actor, r ledger.Range) ([]StatementLine, error) {
	org, err := s.orgs.Org(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	type key struct{ creator, currency string }
	lines := map[key]*StatementLine{}
	baseKnown := map[key]bool{}
	err = s.ledger.EachPage(ctx, p.OrgID, r, func(es []ledger.Entry) error {
		states, err := s.classify(ctx, s.db, p.OrgID, es)
		if err != nil {
			return err
		}
		for i, e := range es {
			k := key{e.CreatorID, e.Currency}
			l := lines[k]
			if l == nil {
				l = &StatementLine{CreatorID: e.CreatorID, Currency: e.Currency, BaseCurrency: org.BaseCurrency, BasePayableMinor: new(int64)}
				lines[k], baseKnown[k] = l, true
			}
			switch e.Kind {
			case ledger.KindCommission:
				l.Conversions++
				l.GMVMinor += e.GMVMinor
				l.CommissionMinor += e.AmountMinor
			case ledger.KindReversal:
				l.ReversalMinor += e.AmountMinor
			case ledger.KindAdjustment:
				l.AdjustmentMinor += e.AmountMinor
			}
			l.AgencyShareMinor += e.AgencyShareMinor
			net := e.AmountMinor - e.AgencyShareMinor
			switch states[i] {
			case payable:
				l.PayableMinor += net
				if e.BaseAmountMinor == nil {
					baseKnown[k] = false
				} else {
					*l.BasePayableMinor += *e.BaseAmountMinor - deref(e.BaseAgencyShareMinor)
				}
			case pending:
				l.PendingMinor += net
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var ids []string
	for k := range lines {
		ids = append(ids, k.creator)
	}
	refs, err := creator.Refs(ctx, s.db, p.OrgID, ids)
	if err != nil {
		return nil, err
	}
	out := []StatementLine{}
	for k, l := range lines {
		if !baseKnown[k] {
			l.BasePayableMinor = nil
		}
		l.CreatorName = refs[l.CreatorID].DisplayName
		out = append(out, *l)
	}
	slices.SortFunc(out, func(a, b StatementLine) int {
		return cmp.Or(cmp.Compare(a.CreatorName, b.CreatorName), cmp.Compare(a.CreatorID, b.CreatorID), cmp.Compare(a.Currency, b.Currency))
	})
	return out, nil
}
