package httpapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/caravan-crm/caravan/internal/actor"
	"github.com/caravan-crm/caravan/internal/audit"
	"github.com/caravan-crm/caravan/internal/auth"
	"github.com/caravan-crm/caravan/internal/campaign"
	"github.com/caravan-crm/caravan/internal/conversion"
	"github.com/caravan-crm/caravan/internal/creator"
	"github.com/caravan-crm/caravan/internal/insight"
	"github.com/caravan-crm/caravan/internal/ledger"
	"github.com/caravan-crm/caravan/internal/page"
	"github.com/caravan-crm/caravan/internal/payout"
	"github.com/caravan-crm/caravan/internal/report"
	"github.com/caravan-crm/caravan/internal/tracking"
)

// route is one line of the route table: who may call it, and what it takes and answers (for the
// OpenAPI document).
type route struct {
	Method  string
	Path    string // echo syntax: /api/v1/users/:id
	Auth    authKind
	Handler echo.HandlerFunc
	Roles   []actor.Role // who may call a route of kind authUser; nil for the other kinds
	Tag     string
	Summary string
	Body    any   // request body type, nil if none
	Resp    any   // success answer type, nil for 204
	Status  int   // success status
	MaxBody int64 // body limit in bytes when larger than the default
	Query   []param
	File    string // media type of a file answer (Resp nil): a download
}

type param struct {
	Name, Description string
}

// authKind says how a route authenticates its caller; the OpenAPI document shows it as x-auth.
type authKind string

const (
	authPublic  authKind = "public"         // anyone
	authLimited authKind = "public_limited" // anyone, rate-limited per client address
	authUser    authKind = "user"           // a session's access token or an API key, with one of Roles
	authRefresh authKind = "refresh_cookie" // the refresh cookie plus X-Requested-With (CSRF defence)
	authWebhook authKind = "signed_webhook" // an HMAC signature of the body with the sender's secret
)

var (
	everyone = actor.Roles
	admins   = []actor.Role{actor.RoleOwner, actor.RoleAdmin}
	auditors = []actor.Role{actor.RoleOwner, actor.RoleAdmin, actor.RoleFinance}
	sellers  = []actor.Role{actor.RoleOwner, actor.RoleAdmin, actor.RoleManager}
	owners   = []actor.Role{actor.RoleOwner}
	// ingesters send orders: sellers, finance, and the API keys they create.
	ingesters = []actor.Role{actor.RoleOwner, actor.RoleAdmin, actor.RoleManager, actor.RoleFinance}
)

var pageParams = []param{{"limit", "page size, 1 to 500 (default 50)"}, {"cursor", "next_cursor of the previous page"}}

// table is every route Caravan serves. One line each: read this to know the whole surface.
func (s *Server) table() []route {
	a := &auth.Handler{Svc: s.deps.Auth, SecureCookie: s.secureCookies()}
	cr := &creator.Handler{Svc: s.deps.Creators}
	pf := &insight.Handler{Svc: s.deps.Platforms}
	tr := &tracking.Handler{Svc: s.deps.Tracking}
	cm := &campaign.Handler{Svc: s.deps.Campaigns}
	cv := &conversion.Handler{Svc: s.deps.Conversions}
	lg := &ledger.Handler{Svc: s.deps.Ledger}
	po := &payout.Handler{Svc: s.deps.Payouts}
	rp := &report.Handler{Svc: s.deps.Reports}
	rangeParams := []param{{"period", "a month YYYY-MM"}, {"from", "first day YYYY-MM-DD (with to, instead of period)"}, {"to", "last day YYYY-MM-DD"}}
	creatorFilters := append(creatorFilterParams(), pageParams...)
	return []route{
		{Method: http.MethodGet, Path: "/healthz", Auth: authPublic, Handler: s.healthz, Tag: "system", Summary: "The process is alive", Resp: Health{}, Status: 200},
		{Method: http.MethodGet, Path: "/readyz", Auth: authPublic, Handler: s.readyz, Tag: "system", Summary: "The database answers", Resp: Health{}, Status: 200},
		{Method: http.MethodGet, Path: "/api/openapi.json", Auth: authPublic, Handler: s.openAPI, Tag: "system", Summary: "This API's OpenAPI 3.1 document", Resp: map[string]any{}, Status: 200},

		{Method: http.MethodGet, Path: "/api/v1/setup", Auth: authPublic, Handler: a.GetSetup, Tag: "auth", Summary: "Whether the first-run setup is open", Resp: auth.SetupStatus{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/setup", Auth: authPublic, Handler: a.Setup, Tag: "auth", Summary: "Create the first organization and its owner (only while no user exists)", Body: auth.SetupRequest{}, Resp: auth.SetupResponse{}, Status: 201},
		{Method: http.MethodPost, Path: "/api/v1/auth/login", Auth: authLimited, Handler: a.Login, Tag: "auth", Summary: "Sign in; sets the refresh cookie", Body: auth.LoginRequest{}, Resp: auth.TokenResponse{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/auth/refresh", Auth: authRefresh, Handler: a.Refresh, Tag: "auth", Summary: "Exchange the refresh cookie for a new access token (rotates the cookie)", Resp: auth.TokenResponse{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/auth/logout", Auth: authRefresh, Handler: a.Logout, Tag: "auth", Summary: "End the session of the refresh cookie", Status: 204},
		{Method: http.MethodGet, Path: "/api/v1/me", Auth: authUser, Handler: a.Me, Roles: everyone, Tag: "auth", Summary: "The caller and their organization", Resp: auth.MeResponse{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/me/password", Auth: authUser, Handler: a.ChangePassword, Roles: everyone, Tag: "auth", Summary: "Change the caller's password; ends every other session", Body: auth.PasswordRequest{}, Resp: auth.TokenResponse{}, Status: 200},

		{Method: http.MethodGet, Path: "/api/v1/users", Auth: authUser, Handler: a.ListUsers, Roles: admins, Tag: "users", Summary: "List the organization's users", Resp: page.List[auth.User]{}, Status: 200, Query: pageParams},
		{Method: http.MethodPost, Path: "/api/v1/users", Auth: authUser, Handler: a.CreateUser, Roles: admins, Tag: "users", Summary: "Add a user", Body: auth.CreateUserRequest{}, Resp: auth.User{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/users/:id", Auth: authUser, Handler: a.GetUser, Roles: admins, Tag: "users", Summary: "One user", Resp: auth.User{}, Status: 200},
		{Method: http.MethodPatch, Path: "/api/v1/users/:id", Auth: authUser, Handler: a.UpdateUser, Roles: admins, Tag: "users", Summary: "Rename, change the role of, or disable a user", Body: auth.UpdateUserRequest{}, Resp: auth.User{}, Status: 200},

		{Method: http.MethodGet, Path: "/api/v1/api-keys", Auth: authUser, Handler: a.ListAPIKeys, Roles: admins, Tag: "api-keys", Summary: "List the API keys in use", Resp: page.List[auth.APIKey]{}, Status: 200, Query: pageParams},
		{Method: http.MethodPost, Path: "/api/v1/api-keys", Auth: authUser, Handler: a.CreateAPIKey, Roles: admins, Tag: "api-keys", Summary: "Create an API key (the key is shown once)", Body: auth.CreateAPIKeyRequest{}, Resp: auth.CreatedAPIKey{}, Status: 201},
		{Method: http.MethodDelete, Path: "/api/v1/api-keys/:id", Auth: authUser, Handler: a.RevokeAPIKey, Roles: admins, Tag: "api-keys", Summary: "Revoke an API key", Status: 204},

		// creators
		{Method: http.MethodGet, Path: "/api/v1/creators", Auth: authUser, Handler: cr.List, Roles: everyone, Tag: "creators", Summary: "List creators with filters, search and keyset paging", Resp: page.List[creator.Creator]{}, Status: 200, Query: creatorFilters},
		{Method: http.MethodPost, Path: "/api/v1/creators", Auth: authUser, Handler: cr.Create, Roles: sellers, Tag: "creators", Summary: "Add a creator with accounts", Body: creator.NewCreator{}, Resp: creator.Creator{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/creators/:id", Auth: authUser, Handler: cr.Get, Roles: everyone, Tag: "creators", Summary: "One creator with accounts, followers and 30-day growth", Resp: creator.Creator{}, Status: 200},
		{Method: http.MethodPatch, Path: "/api/v1/creators/:id", Auth: authUser, Handler: cr.Update, Roles: sellers, Tag: "creators", Summary: "Change a creator (partial; null clears)", Body: creator.Change{}, Resp: creator.Creator{}, Status: 200},
		{Method: http.MethodDelete, Path: "/api/v1/creators/:id", Auth: authUser, Handler: cr.Delete, Roles: sellers, Tag: "creators", Summary: "Soft-delete a creator (handles stay reserved)", Status: 204},
		{Method: http.MethodPost, Path: "/api/v1/creators/:id/erase", Auth: authUser, Handler: cr.Erase, Roles: owners, Tag: "creators", Summary: "Erase a creator's personal data on request ({confirm: true}); ledger and statements stay under a pseudonym", Body: creator.Erasure{}, Status: 204},
		{Method: http.MethodPost, Path: "/api/v1/creators/:id/restore", Auth: authUser, Handler: cr.Restore, Roles: sellers, Tag: "creators", Summary: "Restore a deleted creator", Resp: creator.Creator{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/creators/:id/accounts", Auth: authUser, Handler: cr.AddAccount, Roles: sellers, Tag: "creators", Summary: "Add a platform account (handle or profile URL); 409 if another creator has it", Body: creator.NewAccount{}, Resp: creator.Account{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/accounts/:id", Auth: authUser, Handler: cr.GetAccount, Roles: everyone, Tag: "creators", Summary: "One account, with its 30-day growth and version (ETag)", Resp: creator.Account{}, Status: 200},
		{Method: http.MethodPatch, Path: "/api/v1/accounts/:id", Auth: authUser, Handler: cr.UpdateAccount, Roles: sellers, Tag: "creators", Summary: "Change an account", Body: creator.AccountChange{}, Resp: creator.Account{}, Status: 200},
		{Method: http.MethodDelete, Path: "/api/v1/accounts/:id", Auth: authUser, Handler: cr.DeleteAccount, Roles: sellers, Tag: "creators", Summary: "Remove an account and its history", Status: 204},
		{Method: http.MethodPost, Path: "/api/v1/accounts/:id/snapshots", Auth: authUser, Handler: cr.AddSnapshot, Roles: sellers, Tag: "creators", Summary: "Record followers on a day (201; 200 when it replaces that day's snapshot)", Body: creator.NewSnapshot{}, Resp: creator.History{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/accounts/:id/snapshots", Auth: authUser, Handler: cr.History, Roles: everyone, Tag: "creators", Summary: "An account's follower history, newest first", Resp: creator.History{}, Status: 200, Query: []param{{"days", "only the last days days (default: all)"}}},
		{Method: http.MethodGet, Path: "/api/v1/creators/:id/timeline", Auth: authUser, Handler: cr.Timeline, Roles: everyone, Tag: "creators", Summary: "A creator's timeline, newest first", Resp: page.List[creator.Event]{}, Status: 200, Query: pageParams},
		{Method: http.MethodPost, Path: "/api/v1/creators/:id/notes", Auth: authUser, Handler: cr.AddNote, Roles: sellers, Tag: "creators", Summary: "Put a note on a creator's timeline", Body: creator.NewNote{}, Resp: creator.Event{}, Status: 201},
		{Method: http.MethodPost, Path: "/api/v1/creators/import", Auth: authUser, Handler: cr.Import, Roles: sellers, Tag: "creators", Summary: "Import creators from .xlsx or .csv (multipart file; one row per account; English or Chinese headers); 422 with row errors and nothing written", Resp: creator.ImportResult{}, Status: 200, MaxBody: 21 << 20,
			Query: []param{{"dry_run", "true: check and count, write nothing"}}},
		{Method: http.MethodGet, Path: "/api/v1/creators/tags", Auth: authUser, Handler: cr.Tags, Roles: everyone, Tag: "creators", Summary: "The organization's tags, most used first, with how many creators carry each", Resp: creator.TagsAnswer{}, Status: 200},
		{Method: http.MethodGet, Path: "/api/v1/creators/export.xlsx", Auth: authUser, Handler: cr.Export, Roles: everyone, Tag: "creators", Summary: "The filtered list as an .xlsx workbook, one row per account", Status: 200,
			Query: append(creatorFilterParams(), param{"lang", "en or zh (default: Accept-Language)"})},
		{Method: http.MethodGet, Path: "/api/v1/agencies", Auth: authUser, Handler: cr.ListAgencies, Roles: everyone, Tag: "creators", Summary: "List MCN agencies by name", Resp: page.List[creator.Agency]{}, Status: 200, Query: pageParams},
		{Method: http.MethodPost, Path: "/api/v1/agencies", Auth: authUser, Handler: cr.CreateAgency, Roles: sellers, Tag: "creators", Summary: "Add an MCN agency", Body: creator.NewAgency{}, Resp: creator.Agency{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/agencies/:id", Auth: authUser, Handler: cr.GetAgency, Roles: everyone, Tag: "creators", Summary: "One agency", Resp: creator.Agency{}, Status: 200},
		{Method: http.MethodPatch, Path: "/api/v1/agencies/:id", Auth: authUser, Handler: cr.UpdateAgency, Roles: sellers, Tag: "creators", Summary: "Change an agency", Body: creator.AgencyChange{}, Resp: creator.Agency{}, Status: 200},
		{Method: http.MethodDelete, Path: "/api/v1/agencies/:id", Auth: authUser, Handler: cr.DeleteAgency, Roles: sellers, Tag: "creators", Summary: "Delete an agency no creator belongs to", Status: 204},

		// campaigns
		{Method: http.MethodGet, Path: "/api/v1/products", Auth: authUser, Handler: cm.ListProducts, Roles: everyone, Tag: "campaigns", Summary: "List products by SKU", Resp: page.List[campaign.Product]{}, Status: 200, Query: append([]param{{"q", "part of the SKU or name"}}, pageParams...)},
		{Method: http.MethodPost, Path: "/api/v1/products", Auth: authUser, Handler: cm.CreateProduct, Roles: sellers, Tag: "campaigns", Summary: "Add a product; 409 when the SKU (any case) exists", Body: campaign.NewProduct{}, Resp: campaign.Product{}, Status: 201},
		{Method: http.MethodPost, Path: "/api/v1/products/import", Auth: authUser, Handler: cm.ImportProducts, Roles: sellers, Tag: "campaigns", Summary: "Import products from .xlsx or .csv (multipart file; English or Chinese headers; upsert by SKU); 422 with row errors and nothing written", Resp: campaign.ProductImportResult{}, Status: 200, MaxBody: 21 << 20,
			Query: []param{{"dry_run", "true: check and count, write nothing"}}},
		{Method: http.MethodGet, Path: "/api/v1/products/:id", Auth: authUser, Handler: cm.GetProduct, Roles: everyone, Tag: "campaigns", Summary: "One product", Resp: campaign.Product{}, Status: 200},
		{Method: http.MethodPatch, Path: "/api/v1/products/:id", Auth: authUser, Handler: cm.UpdateProduct, Roles: sellers, Tag: "campaigns", Summary: "Change a product (a rate change keeps the old rate for earlier orders)", Body: campaign.ProductChange{}, Resp: campaign.Product{}, Status: 200},
		{Method: http.MethodDelete, Path: "/api/v1/products/:id", Auth: authUser, Handler: cm.DeleteProduct, Roles: sellers, Tag: "campaigns", Summary: "Delete a product no campaign or sample refers to", Status: 204},
		{Method: http.MethodGet, Path: "/api/v1/campaigns", Auth: authUser, Handler: cm.ListCampaigns, Roles: everyone, Tag: "campaigns", Summary: "List campaigns, newest first", Resp: page.List[campaign.Campaign]{}, Status: 200, Query: append(campaignFilterParams(), pageParams...)},
		{Method: http.MethodPost, Path: "/api/v1/campaigns", Auth: authUser, Handler: cm.CreateCampaign, Roles: sellers, Tag: "campaigns", Summary: "Add a campaign with its commission plan", Body: campaign.NewCampaign{}, Resp: campaign.Campaign{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/campaigns/:id", Auth: authUser, Handler: cm.GetCampaign, Roles: everyone, Tag: "campaigns", Summary: "One campaign with the plan in force and the next one scheduled", Resp: campaign.Campaign{}, Status: 200},
		{Method: http.MethodPatch, Path: "/api/v1/campaigns/:id", Auth: authUser, Handler: cm.UpdateCampaign, Roles: sellers, Tag: "campaigns", Summary: "Change a campaign (partial; a plan adds a plan version)", Body: campaign.CampaignChange{}, Resp: campaign.Campaign{}, Status: 200},
		{Method: http.MethodDelete, Path: "/api/v1/campaigns/:id", Auth: authUser, Handler: cm.DeleteCampaign, Roles: sellers, Tag: "campaigns", Summary: "Delete a draft campaign nobody is enrolled in (409 otherwise: end it)", Status: 204},
		{Method: http.MethodGet, Path: "/api/v1/campaigns/:id/plans", Auth: authUser, Handler: cm.Plans, Roles: everyone, Tag: "campaigns", Summary: "A campaign's plan versions, oldest first", Resp: campaign.PlanVersions{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/campaigns/:id/plans", Auth: authUser, Handler: cm.AddPlan, Roles: sellers, Tag: "campaigns", Summary: "Add a plan version, effective now or scheduled", Body: campaign.NewPlanVersion{}, Resp: campaign.PlanVersion{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/campaigns/:id/report", Auth: authUser, Handler: cm.Report, Roles: everyone, Tag: "campaigns", Summary: "Per creator and account: posts, costs, clicks, conversions, GMV; campaign totals and return", Resp: campaign.Report{}, Status: 200},
		{Method: http.MethodGet, Path: "/api/v1/campaigns/:id/creators", Auth: authUser, Handler: cm.Enrolments, Roles: everyone, Tag: "campaigns", Summary: "The creators enrolled in a campaign", Resp: page.List[campaign.Enrolment]{}, Status: 200, Query: pageParams},
		{Method: http.MethodPost, Path: "/api/v1/campaigns/:id/creators", Auth: authUser, Handler: cm.Enrol, Roles: sellers, Tag: "campaigns", Summary: "Enrol a creator, with an optional rate override", Body: campaign.NewEnrolment{}, Resp: campaign.Enrolment{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/enrolments/:id", Auth: authUser, Handler: cm.GetEnrolment, Roles: everyone, Tag: "campaigns", Summary: "One enrolment", Resp: campaign.Enrolment{}, Status: 200},
		{Method: http.MethodPatch, Path: "/api/v1/enrolments/:id", Auth: authUser, Handler: cm.UpdateEnrolment, Roles: sellers, Tag: "campaigns", Summary: "Change an enrolment's status, override, accounts or fee", Body: campaign.EnrolmentChange{}, Resp: campaign.Enrolment{}, Status: 200},
		{Method: http.MethodGet, Path: "/api/v1/campaigns/:id/deliverables", Auth: authUser, Handler: cm.Deliverables, Roles: everyone, Tag: "campaigns", Summary: "A campaign's content posts (late ones shown as late)", Resp: page.List[campaign.Deliverable]{}, Status: 200, Query: pageParams},
		{Method: http.MethodPost, Path: "/api/v1/campaigns/:id/deliverables", Auth: authUser, Handler: cm.AddDeliverable, Roles: sellers, Tag: "campaigns", Summary: "Add a content post an enrolled creator owes", Body: campaign.NewDeliverable{}, Resp: campaign.Deliverable{}, Status: 201},
		{Method: http.MethodPatch, Path: "/api/v1/deliverables/:id", Auth: authUser, Handler: cm.UpdateDeliverable, Roles: sellers, Tag: "campaigns", Summary: "Change a content post (posted goes to the creator's timeline)", Body: campaign.DeliverableChange{}, Resp: campaign.Deliverable{}, Status: 200},
		{Method: http.MethodGet, Path: "/api/v1/campaigns/:id/samples", Auth: authUser, Handler: cm.Samples, Roles: everyone, Tag: "campaigns", Summary: "The samples a campaign sent", Resp: page.List[campaign.Sample]{}, Status: 200, Query: pageParams},
		{Method: http.MethodPost, Path: "/api/v1/campaigns/:id/samples", Auth: authUser, Handler: cm.AddSample, Roles: sellers, Tag: "campaigns", Summary: "Record a sample sent to an enrolled creator", Body: campaign.NewSample{}, Resp: campaign.Sample{}, Status: 201},
		{Method: http.MethodPatch, Path: "/api/v1/samples/:id", Auth: authUser, Handler: cm.UpdateSample, Roles: sellers, Tag: "campaigns", Summary: "Change a sample (shipping, delivery)", Body: campaign.SampleChange{}, Resp: campaign.Sample{}, Status: 200},

		// tracking
		{Method: http.MethodGet, Path: "/api/v1/links", Auth: authUser, Handler: tr.ListLinks, Roles: everyone, Tag: "tracking", Summary: "List tracking links, newest first, with their counted clicks", Resp: page.List[tracking.Link]{}, Status: 200, Query: append(trackingFilterParams(), pageParams...)},
		{Method: http.MethodPost, Path: "/api/v1/links", Auth: authUser, Handler: tr.CreateLink, Roles: sellers, Tag: "tracking", Summary: "Create a tracking link (an unguessable code and its short URL) to a destination of yours", Body: tracking.NewLink{}, Resp: tracking.Link{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/links/:id", Auth: authUser, Handler: tr.GetLink, Roles: everyone, Tag: "tracking", Summary: "One link with its counted clicks (no bots; a visitor once a minute)", Resp: tracking.Link{}, Status: 200},
		{Method: http.MethodPatch, Path: "/api/v1/links/:id", Auth: authUser, Handler: tr.UpdateLink, Roles: sellers, Tag: "tracking", Summary: "Change a link's destination, or disable and enable it", Body: tracking.LinkChange{}, Resp: tracking.Link{}, Status: 200},
		{Method: http.MethodGet, Path: "/api/v1/promo-codes", Auth: authUser, Handler: tr.ListPromoCodes, Roles: everyone, Tag: "tracking", Summary: "List promo codes, newest first", Resp: page.List[tracking.PromoCode]{}, Status: 200, Query: append(trackingFilterParams(), pageParams...)},
		{Method: http.MethodPost, Path: "/api/v1/promo-codes", Auth: authUser, Handler: tr.CreatePromoCode, Roles: sellers, Tag: "tracking", Summary: "Create a promo code; 409 promo_code_taken when the organization has it in any case", Body: tracking.NewPromoCode{}, Resp: tracking.PromoCode{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/promo-codes/:id", Auth: authUser, Handler: tr.GetPromoCode, Roles: everyone, Tag: "tracking", Summary: "One promo code", Resp: tracking.PromoCode{}, Status: 200},
		{Method: http.MethodPatch, Path: "/api/v1/promo-codes/:id", Auth: authUser, Handler: tr.UpdatePromoCode, Roles: sellers, Tag: "tracking", Summary: "Respell a promo code, or disable and enable it", Body: tracking.PromoCodeChange{}, Resp: tracking.PromoCode{}, Status: 200},
		{Method: http.MethodGet, Path: redirectPath, Auth: authLimited, Handler: tr.Redirect, Tag: "tracking", Summary: "Public short link: 302 to the destination with cv_click and utm_* added; 404 for an unknown or disabled code; 429 past the per-address limit", Status: 302},

		// conversions
		{Method: http.MethodGet, Path: "/api/v1/conversions", Auth: authUser, Handler: cv.List, Roles: everyone, Tag: "conversions", Summary: "List conversions, the latest order first, with their items, refunds and ledger entries", Resp: page.List[conversion.Conversion]{}, Status: 200, Query: append(listParams(conversion.FilterParams), pageParams...)},
		{Method: http.MethodPost, Path: "/api/v1/conversions", Auth: authUser, Handler: cv.Create, Roles: ingesters, Tag: "conversions", Summary: "Record an order (API key: source api; a person: source manual); 201 with its commission entries, 200 with the stored conversion when the source already has the external_id", Body: conversion.Input{}, Resp: conversion.Conversion{}, Status: 201},
		{Method: http.MethodPost, Path: "/api/v1/conversions/batch", Auth: authUser, Handler: cv.Batch, Roles: ingesters, Tag: "conversions", Summary: "Record up to 1000 orders: a result per item (created, duplicate or rejected with its error)", Body: conversion.BatchInput{}, Resp: conversion.BatchResult{}, Status: 200, MaxBody: 8 << 20},
		{Method: http.MethodPost, Path: "/api/v1/conversions/import", Auth: authUser, Handler: cv.Import, Roles: ingesters, Tag: "conversions", Summary: "Import an order file (.csv or .xlsx: generic layout, TikTok Shop order or affiliate export; multipart file, dry_run, timezone, currency); all or nothing, 422 with row errors", Resp: conversion.ImportResult{}, Status: 200, MaxBody: 51 << 20,
			Query: []param{{"dry_run", "true: check and count, write nothing"}, {"timezone", "zone of times without an offset (default the organization's)"}, {"currency", "currency of files without a currency column (default the base currency)"}}},
		{Method: http.MethodPost, Path: "/api/v1/conversions/decisions", Auth: authUser, Handler: cv.DecideMany, Roles: auditors, Tag: "conversions", Summary: "Approve or reject many conversions, by ids or by filter (a reason is required to reject)", Body: conversion.BulkDecision{}, Resp: conversion.BulkResult{}, Status: 200},
		{Method: http.MethodGet, Path: "/api/v1/conversions/:id", Auth: authUser, Handler: cv.Get, Roles: everyone, Tag: "conversions", Summary: "One conversion with its items, refunds and ledger entries", Resp: conversion.Conversion{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/conversions/:id/refunds", Auth: authUser, Handler: cv.AddRefund, Roles: ingesters, Tag: "conversions", Summary: "Record a refund of net merchandise: a proportional reversal entry; 422 past the order's amount; 200 for a known external_id", Body: conversion.RefundInput{}, Resp: conversion.RefundResult{}, Status: 201},
		{Method: http.MethodPost, Path: "/api/v1/conversions/:id/approve", Auth: authUser, Handler: cv.Approve, Roles: auditors, Tag: "conversions", Summary: "Approve a pending conversion (finance)", Resp: conversion.Conversion{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/conversions/:id/reject", Auth: authUser, Handler: cv.Reject, Roles: auditors, Tag: "conversions", Summary: "Reject a conversion with a reason: its commission is reversed (finance)", Body: conversion.Decision{}, Resp: conversion.Conversion{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/conversions/:id/attribute", Auth: authUser, Handler: cv.Attribute, Roles: ingesters, Tag: "conversions", Summary: "Attribute an unattributed conversion to a creator by hand; its commission (and reversals of earlier refunds) are recorded", Body: conversion.ManualAttribution{}, Resp: conversion.Conversion{}, Status: 200},
		{Method: http.MethodGet, Path: "/api/v1/stores", Auth: authUser, Handler: cv.ListStores, Roles: everyone, Tag: "conversions", Summary: "Connected shops, with their webhook address and deliveries (the secret is never answered)", Resp: conversion.StoreList{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/stores", Auth: authUser, Handler: cv.CreateStore, Roles: admins, Tag: "conversions", Summary: "Connect a shop: its webhook signing secret is written once and never answered", Body: conversion.NewStore{}, Resp: conversion.Store{}, Status: 201},
		{Method: http.MethodDelete, Path: "/api/v1/stores/:id", Auth: authUser, Handler: cv.DeleteStore, Roles: admins, Tag: "conversions", Summary: "Disconnect a shop: its webhooks are refused; its orders stay", Status: 204},
		{Method: http.MethodPost, Path: "/webhooks/shopify/:store_id", Auth: authWebhook, Handler: cv.Shopify, Tag: "conversions", Summary: "Shopify orders/create, orders/paid and refunds/create deliveries, verified by X-Shopify-Hmac-Sha256 (401, nothing stored, on a bad one); a repeated X-Shopify-Webhook-Id answers duplicate", Resp: conversion.WebhookResult{}, Status: 200, MaxBody: 5 << 20},

		// ledger
		{Method: http.MethodGet, Path: "/api/v1/commissions", Auth: authUser, Handler: lg.List, Roles: everyone, Tag: "ledger", Summary: "Ledger entries, the newest first, each with its explanation", Resp: page.List[ledger.Entry]{}, Status: 200, Query: append(listParams(ledger.FilterParams), pageParams...)},
		{Method: http.MethodGet, Path: "/api/v1/fx-rates", Auth: authUser, Handler: lg.ListRates, Roles: everyone, Tag: "ledger", Summary: "FX rates, the latest day first", Resp: ledger.FXRateList{}, Status: 200, Query: []param{{"currency", "one currency"}, {"from", "first day YYYY-MM-DD"}, {"to", "last day YYYY-MM-DD"}}},
		{Method: http.MethodPut, Path: "/api/v1/fx-rates", Auth: authUser, Handler: lg.PutRate, Roles: auditors, Tag: "ledger", Summary: "Record a day's rate: 1 unit of currency = rate units of base_currency (a decimal string); 409 for a day of a closed period", Body: ledger.NewFXRate{}, Resp: ledger.FXRate{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/fx-rates/import", Auth: authUser, Handler: lg.ImportRates, Roles: auditors, Tag: "ledger", Summary: "Import daily rates from .csv or .xlsx (date, currency, base currency, rate; multipart file, dry_run); all or nothing", Resp: ledger.FXImportResult{}, Status: 200, MaxBody: 6 << 20,
			Query: []param{{"dry_run", "true: check, write nothing"}}},
		{Method: http.MethodPost, Path: "/api/v1/adjustments", Auth: authUser, Handler: lg.Adjust, Roles: auditors, Tag: "ledger", Summary: "Record a positive or negative adjustment for a creator, with a reason; 409 when its period is closed", Body: ledger.NewAdjustment{}, Resp: ledger.Entry{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/periods", Auth: authUser, Handler: lg.Periods, Roles: everyone, Tag: "finance", Summary: "Commission months with entries, and whether each is closed", Resp: ledger.PeriodList{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/periods/:period/close", Auth: authUser, Handler: lg.ClosePeriod, Roles: auditors, Tag: "finance", Summary: "Close (lock) a past month: later entries dated in it go to the next open month; adjustments naming it are refused", Resp: ledger.Period{}, Status: 200},
		{Method: http.MethodPost, Path: "/api/v1/periods/:period/reopen", Auth: authUser, Handler: lg.ReopenPeriod, Roles: owners, Tag: "finance", Summary: "Reopen a closed month (owner only, with a reason; audited)", Body: ledger.Reopen{}, Resp: ledger.Period{}, Status: 200},
		{Method: http.MethodGet, Path: "/api/v1/statements", Auth: authUser, Handler: po.Statements, Roles: auditors, Tag: "finance", Summary: "Statements of a period (or from/to): one line per creator and currency; totals are sums of ledger entries", Resp: payout.StatementList{}, Status: 200, Query: rangeParams},
		{Method: http.MethodGet, Path: "/api/v1/statements/:" + report.StatementParam, Auth: authUser, Handler: rp.Statement, Roles: auditors, Tag: "finance", Summary: "One creator's statement workbook (.xlsx) of a period or from/to, to send them: orders, commission, reversals, adjustments, payable; English unless lang says otherwise", File: report.ContentType, Status: 200,
			Query: listParams(report.RequestParams)},
		{Method: http.MethodGet, Path: "/api/v1/reports/commissions.xlsx", Auth: authUser, Handler: rp.Commissions, Roles: auditors, Tag: "finance", Summary: "The commission workbook (.xlsx) of a period or from/to: cover, summary, every entry, by campaign, platform and agency, FX rates; lang (else Accept-Language) en or zh-CN", File: report.ContentType, Status: 200,
			Query: listParams(report.RequestParams)},
		{Method: http.MethodGet, Path: "/api/v1/payouts", Auth: authUser, Handler: po.List, Roles: auditors, Tag: "finance", Summary: "Payouts, the newest first", Resp: page.List[payout.Payout]{}, Status: 200,
			Query: append([]param{{"period", "YYYY-MM"}, {"status", "pending or paid"}, {"creator_id", "one creator"}, {"currency", "one currency"}}, pageParams...)},
		{Method: http.MethodPost, Path: "/api/v1/payouts", Auth: authUser, Handler: po.CreateBatch, Roles: auditors, Tag: "finance", Summary: "Batch the payable, unpaid entries of the closed periods up to period: one payout per creator and currency with a positive payable (minimums carry smaller ones over)", Body: payout.NewBatch{}, Resp: payout.Batch{}, Status: 201},
		{Method: http.MethodGet, Path: "/api/v1/payouts/file", Auth: authUser, Handler: po.File, Roles: auditors, Tag: "finance", Summary: "A payout file for the bank or provider: the generic .xlsx or .csv, PayPal Payouts or Wise batch CSV", Status: 200,
			Query: []param{{"period", "YYYY-MM"}, {"format", "xlsx (default), csv, paypal or wise"}, {"currency", "one currency (PayPal takes one per file)"}, {"status", "pending (default), paid or all"}}},
		{Method: http.MethodPost, Path: "/api/v1/payouts/:id/paid", Auth: authUser, Handler: po.Paid, Roles: auditors, Tag: "finance", Summary: "Mark a payout paid (reference, paid_on): its conversions become paid; a second time is a 409", Body: payout.MarkPaid{}, Resp: payout.Payout{}, Status: 200},

		// platforms
		{Method: http.MethodGet, Path: "/api/v1/platforms", Auth: authUser, Handler: pf.List, Roles: everyone, Tag: "platforms", Summary: "Every platform with the organization's risk marks", Resp: insight.ListAnswer{}, Status: 200},
		{Method: http.MethodPut, Path: "/api/v1/platforms/:platform/risk", Auth: authUser, Handler: pf.SetRisk, Roles: sellers, Tag: "platforms", Summary: "Mark a platform at risk or banned in a country (level ok clears)", Body: insight.RiskInput{}, Resp: insight.Mark{}, Status: 200},
		{Method: http.MethodGet, Path: "/api/v1/insights/dashboard", Auth: authUser, Handler: pf.Dashboard, Roles: everyone, Tag: "platforms", Summary: "The dashboard over a range of days: GMV, commission, clicks, conversions and conversion rate in the base currency, per day, platform, campaign and account; top creators; conversions waiting for approval or attribution", Resp: insight.Dashboard{}, Status: 200,
			Query: []param{{"from", "first day YYYY-MM-DD (default 29 days before to)"}, {"to", "last day YYYY-MM-DD (default today), at most 366 days after from"}}},
		{Method: http.MethodGet, Path: "/api/v1/insights/platform-exposure", Auth: authUser, Handler: pf.Exposure, Roles: everyone, Tag: "platforms", Summary: "Per platform: creators, accounts, GMV and commission; per mark: who depends on it, with and without an alternative", Resp: insight.Exposure{}, Status: 200,
			Query: []param{{"days", "revenue window in days (default 90)"}, {"limit", "creators listed per group of a mark (default 200)"}}},

		{Method: http.MethodGet, Path: "/api/v1/audit-log", Auth: authUser, Handler: (&audit.Handler{DB: s.deps.DB}).List, Roles: auditors, Tag: "audit", Summary: "The organization's audit log, newest first", Resp: page.List[audit.Entry]{}, Status: 200,
			Query: append([]param{{"action", "only this action, e.g. user.login"}, {"target_id", "only entries about this object"}}, pageParams...)},
	}
}

func listParams(ps [][2]string) []param {
	out := make([]param, len(ps))
	for i, p := range ps {
		out[i] = param{p[0], p[1]}
	}
	return out
}

func creatorFilterParams() []param {
	out := make([]param, len(creator.FilterParams))
	for i, p := range creator.FilterParams {
		out[i] = param{p[0], p[1]}
	}
	return out
}

func campaignFilterParams() []param {
	out := make([]param, len(campaign.CampaignFilterParams))
	for i, p := range campaign.CampaignFilterParams {
		out[i] = param{p[0], p[1]}
	}
	return out
}

func trackingFilterParams() []param {
	out := make([]param, len(tracking.FilterParams))
	for i, p := range tracking.FilterParams {
		out[i] = param{p[0], p[1]}
	}
	return out
}

func (s *Server) secureCookies() bool {
	return strings.HasPrefix(s.deps.Config.PublicURL, "https://")
}

// check refuses a row whose authentication kind and roles disagree.
func (r route) check() error {
	switch r.Auth {
	case authUser:
		if len(r.Roles) == 0 {
			return fmt.Errorf("httpapi: %s %s: an authenticated route needs roles", r.Method, r.Path)
		}
	case authPublic, authLimited, authRefresh, authWebhook:
		if r.Roles != nil {
			return fmt.Errorf("httpapi: %s %s: roles on a route of kind %s", r.Method, r.Path, r.Auth)
		}
	default:
		return fmt.Errorf("httpapi: %s %s: unknown authentication kind %q", r.Method, r.Path, r.Auth)
	}
	return nil
}
