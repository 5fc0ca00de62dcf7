package demo_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/app"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/config"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/demo"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/store"
	"github.com/caravan-crm/caravan/internal/store/storetest"
)

// services wires the domain services on db as the server does, on clk.
func services(t *testing.T, db *bun.DB, clk *clock.Manual) demo.Services {
	t.Helper()
	a := auth.NewService(db, auth.Options{Argon2: auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}})
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	deps := app.NewDeps(config.Defaults(), slog.New(slog.NewTextHandler(io.Discard, nil)), db, a, clk)
	return demo.Services{Auth: a, Creators: deps.Creators, Campaigns: deps.Campaigns, Tracking: deps.Tracking,
		Conversions: deps.Conversions, Ledger: deps.Ledger, DB: db}
}

// small is a demo a test can afford: three months of it.
func small(email string) demo.Options {
	return demo.Options{Email: email, Password: "a long demo password", Seed: 7, Creators: 20, Orders: 300, Clicks: 600, Days: 92,
		Now: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)}
}

func TestTheDemoBuildsAnOrganizationWhoseOrdersReachTheLedger(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		clk := clock.NewManual(time.Now())
		svc := services(t, db, clk)
		opt := small("owner@demo.example")
		res, err := demo.Run(ctx, svc, clk, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !clk.Now().Equal(opt.Now) {
			t.Errorf("the clock was left at %s, not at the end of the history", clk.Now())
		}
		owner := actor.Actor{OrgID: res.OrgID, Role: actor.RoleOwner}
		count := func(what string, n func() (int64, error)) int64 {
			t.Helper()
			v, err := n()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return v
		}
		creators := count("creators", func() (int64, error) {
			l, err := svc.Creators.List(ctx, owner, creator.Filter{}, page.Request{Limit: 1})
			return l.Total, err
		})
		orders := count("orders", func() (int64, error) {
			l, err := svc.Conversions.List(ctx, owner, conversion.Filter{}, page.Request{Limit: 1})
			return l.Total, err
		})
		approved := count("approved", func() (int64, error) {
			l, err := svc.Conversions.List(ctx, owner, conversion.Filter{Status: conversion.StatusApproved}, page.Request{Limit: 1})
			return l.Total, err
		})
		entries := func(kind string) int64 {
			return count(kind, func() (int64, error) {
				l, err := svc.Ledger.List(ctx, owner, ledger.Filter{Kind: kind}, page.Request{Limit: 1})
				return l.Total, err
			})
		}
		if creators != int64(opt.Creators) || res.Creators != opt.Creators || orders != int64(opt.Orders) || res.Orders != opt.Orders {
			t.Fatalf("%d creators and %d orders stored (result: %d, %d), want %d and %d", creators, orders, res.Creators, res.Orders, opt.Creators, opt.Orders)
		}
		if res.Accounts < opt.Creators || res.Products != 40 || res.Campaigns != 8 || res.Enrolments == 0 || res.Links == 0 || res.PromoCodes == 0 {
			t.Errorf("too little around the orders: %+v", res)
		}
		if res.Clicks < opt.Clicks || res.FXRates == 0 || res.Snapshots <= res.Accounts {
			t.Errorf("clicks, rates or follower history missing: %+v", res)
		}
		// About one order in seven is nobody's; the others are attributed and earn commission.
		if res.Unattributed < opt.Orders/20 || res.Unattributed > opt.Orders*3/10 {
			t.Errorf("%d of %d orders unattributed", res.Unattributed, opt.Orders)
		}
		if c := entries(ledger.KindCommission); c < int64(opt.Orders/2) {
			t.Errorf("%d commission entries for %d attributed orders", c, opt.Orders-res.Unattributed)
		}
		if res.Refunds == 0 || entries(ledger.KindReversal) == 0 {
			t.Errorf("%d refunds, %d reversal entries: refunds must reach the ledger", res.Refunds, entries(ledger.KindReversal))
		}
		if res.Approved == 0 || approved != int64(res.Approved) {
			t.Errorf("%d approved stored, %d reported", approved, res.Approved)
		}
		if res.GMV["USD"] == 0 || res.GMV["EUR"] == 0 || res.GMVBase <= res.GMV["USD"] {
			t.Errorf("GMV %v, in CNY %d", res.GMV, res.GMVBase)
		}
		fxMissing := count("entries without FX", func() (int64, error) {
			l, err := svc.Ledger.List(ctx, owner, ledger.Filter{FXMissing: true}, page.Request{Limit: 1})
			return l.Total, err
		})
		if fxMissing != 0 {
			t.Errorf("%d entries without an FX rate: every order day must have one", fxMissing)
		}

		if !store.IsSQLite(db) {
			return // the same seed's sameness does not depend on the database: checked once, on SQLite
		}
		// The same seed builds the same organization again; the same e-mail is refused.
		again, err := demo.Run(ctx, svc, clk, small("second@demo.example"))
		if err != nil {
			t.Fatal(err)
		}
		if again.OrgID == res.OrgID || again.Unattributed != res.Unattributed || again.GMVBase != res.GMVBase ||
			again.Refunds != res.Refunds || again.Approved != res.Approved || again.Clicks != res.Clicks {
			t.Errorf("the same seed gave another organization:\n%+v\n%+v", res, again)
		}
		// Orders go in two streams at once; the commission (tiers count a creator's earlier orders) must
		// not depend on how they interleaved.
		commission := func(org string) (sum int64) {
			totals, err := svc.Ledger.TotalsBy(ctx, org, ledger.ByCreator, opt.Now.AddDate(-1, 0, 0), opt.Now.AddDate(0, 0, 1))
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range totals {
				sum += v.CommissionMinor
			}
			return sum
		}
		if a, b := commission(res.OrgID), commission(again.OrgID); a != b || a == 0 {
			t.Errorf("commission %d, then %d with the same seed", a, b)
		}
		if _, err := demo.Run(ctx, svc, clk, small("OWNER@demo.example")); !errors.Is(err, demo.ErrEmailInUse) {
			t.Fatalf("a second demo with the owner's e-mail: %v", err)
		}
	})
}
