// Package conversion takes orders in from every channel (the API, batches, order files, Shopify
// webhooks, manual entry), stores each once per (organization, source, external id), attributes it
// to a creator and, where known, one of their platform accounts, and hands attributed orders to the
// ledger. It writes only its own tables: stores, webhook_deliveries, conversions, conversion_items
// and refunds.
package conversion

// Sources: where a conversion came from. A conversion is unique per (organization, source,
// external id); a Shopify store's source is "shopify:" + its id.
const (
	SourceAPI        = "api"         // POST /api/v1/conversions and /batch
	SourceManual     = "manual"      // entered by finance in the web UI
	SourceFile       = "file"        // the generic order-file layout
	SourceTikTokShop = "tiktok_shop" // TikTok Shop's order and affiliate exports (the same order ids)
	sourceShopify    = "shopify:"
)

// Input is one order as a channel delivers it: the body of POST /api/v1/conversions, one order of
// an order file (its SKU lines summed), or a Shopify order. Times are RFC 3339 strings so a bad one
// is a 422 with its field, not a 400 for the whole body.
type Input struct {
	ExternalID    string  `json:"external_id"`
	OccurredAt    string  `json:"occurred_at"`
	Currency      string  `json:"currency"`
	AmountMinor   *int64  `json:"amount_minor"`             // net: merchandise after discounts, before tax and shipping
	DiscountMinor *int64  `json:"discount_minor,omitempty"` // gross = amount + discount
	CreatorID     *string `json:"creator_id,omitempty"`
	AccountID     *string `json:"account_id,omitempty"`
	Platform      *string `json:"platform,omitempty"`
	AccountHandle *string `json:"account_handle,omitempty"`
	LinkCode      *string `json:"link_code,omitempty"`
	PromoCode     *string `json:"promo_code,omitempty"`
	ClickID       *string `json:"click_id,omitempty"`
	CampaignID    *string `json:"campaign_id,omitempty"`
	Items         []Item  `json:"items,omitempty"`
}

// Item is one line of an order.
type Item struct {
	SKU         string `json:"sku"`
	Quantity    int64  `json:"quantity"`
	AmountMinor int64  `json:"amount_minor"` // the line's net merchandise
}

// RefundInput is the body of POST /api/v1/conversions/{id}/refunds: net merchandise refunded.
type RefundInput struct {
	ExternalID  string  `json:"external_id"`
	AmountMinor *int64  `json:"amount_minor"`
	OccurredAt  *string `json:"occurred_at,omitempty"` // default: now
}

// Order is an order a file or a webhook delivered: the conversion, and what the channel says has
// happened to it since.
type Order struct {
	// Line is the file row of the order's first SKU line (0 for webhooks), for error messages.
	Line  int
	Input Input
	// Canceled orders are stored rejected (reason CanceledReason) and earn nothing.
	Canceled bool
	// RefundedMinor is the net merchandise the channel says has been refunded in total so far (nil:
	// it does not say). The import records the difference from what is already recorded as one refund,
	// so re-importing the same file adds nothing.
	RefundedMinor *int64
	// RefundedAt is when the refund happened, when the file says (else the import's time).
	RefundedAt string
	// Refunds are refunds the channel lists with ids of their own (a Shopify order's refunds): each is
	// recorded under its id, so its own delivery, before or after, adds nothing. When set, they are
	// used instead of RefundedMinor.
	Refunds []RefundInput
}

// CanceledReason is the rejection reason of an order its channel cancelled.
const CanceledReason = "canceled by the channel"
