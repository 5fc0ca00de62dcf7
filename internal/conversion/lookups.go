package conversion

import (
	"context"

	"github.com/caravan-crm/caravan/internal/apperr"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// lookups remembers the reference reads of one ingestion (an order, a batch, a group of single
// orders): the orders of a batch mostly name the same codes, creators and campaigns, so each is read
// once. They are read before the write transaction, as attribution always was; clicks are not
// remembered (each is read once anyway, and one may still be in the click buffer).
type lookups struct {
	s           *Service
	campaigns   map[[2]string]*campaign.Ref
	creators    map[[2]string]*creator.Ref
	accounts    map[[2]string]*creator.AccountRef
	handles     map[[3]string]*creator.AccountRef
	codes       map[[2]string]*tracking.PromoCode
	links       map[[2]string]*tracking.Link
	campaignsOf map[[3]string]string
}

func (s *Service) newLookups() *lookups {
	return &lookups{s: s, campaigns: map[[2]string]*campaign.Ref{}, creators: map[[2]string]*creator.Ref{},
		accounts: map[[2]string]*creator.AccountRef{}, handles: map[[3]string]*creator.AccountRef{},
		codes: map[[2]string]*tracking.PromoCode{}, links: map[[2]string]*tracking.Link{}, campaignsOf: map[[3]string]string{}}
}

// memo returns m[k], reading it with read the first time (a nil result is remembered too).
func memo[K comparable, V any](m map[K]V, k K, read func() (V, error)) (V, error) {
	if v, ok := m[k]; ok {
		return v, nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	m[k] = v
	return v, nil
}

// campaign returns the organization's campaign id; ok is false when it has none.
func (lk *lookups) campaign(ctx context.Context, org, id string) (campaign.Ref, bool, error) {
	r, err := memo(lk.campaigns, [2]string{org, id}, func() (*campaign.Ref, error) {
		refs, err := campaign.Refs(ctx, lk.s.db, org, []string{id})
		if r, ok := refs[id]; ok {
			return &r, err
		}
		return nil, err
	})
	if r == nil {
		return campaign.Ref{}, false, err
	}
	return *r, true, err
}

func (lk *lookups) creator(ctx context.Context, org, id string) (creator.Ref, bool, error) {
	r, err := memo(lk.creators, [2]string{org, id}, func() (*creator.Ref, error) {
		refs, err := creator.Refs(ctx, lk.s.db, org, []string{id})
		if r, ok := refs[id]; ok {
			return &r, err
		}
		return nil, err
	})
	if r == nil {
		return creator.Ref{}, false, err
	}
	return *r, true, err
}

// account returns the organization's account id; nil when it has none.
func (lk *lookups) account(ctx context.Context, org, id string) (*creator.AccountRef, error) {
	return memo(lk.accounts, [2]string{org, id}, func() (*creator.AccountRef, error) {
		refs, err := creator.AccountRefs(ctx, lk.s.db, org, []string{id})
		if a, ok := refs[id]; ok {
			return &a, err
		}
		return nil, err
	})
}

func (lk *lookups) accountByHandle(ctx context.Context, org, plat, handle string) (*creator.AccountRef, error) {
	return memo(lk.handles, [3]string{org, plat, handle}, func() (*creator.AccountRef, error) {
		return creator.AccountByHandle(ctx, lk.s.db, org, plat, handle)
	})
}

// promoCode returns the organization's promo code spelled code; nil when there is none.
func (lk *lookups) promoCode(ctx context.Context, org, code string) (*tracking.PromoCode, error) {
	return memo(lk.codes, [2]string{org, code}, func() (*tracking.PromoCode, error) {
		pc, err := lk.s.tracking.ResolveCode(ctx, org, code)
		if apperr.KindOf(err) == apperr.KindNotFound {
			return nil, nil
		}
		return pc, err
	})
}

// link returns the organization's link with code; nil when there is none.
func (lk *lookups) link(ctx context.Context, org, code string) (*tracking.Link, error) {
	return memo(lk.links, [2]string{org, code}, func() (*tracking.Link, error) {
		l, err := lk.s.tracking.ResolveLink(ctx, org, code)
		if apperr.KindOf(err) == apperr.KindNotFound {
			return nil, nil
		}
		return l, err
	})
}

// campaignOf is the campaign a creator's order of day belongs to when it names none ("" for none).
func (lk *lookups) campaignOf(ctx context.Context, org, creatorID, day string) (string, error) {
	return memo(lk.campaignsOf, [3]string{org, creatorID, day}, func() (string, error) {
		return campaign.CampaignOf(ctx, lk.s.db, org, creatorID, day)
	})
}
