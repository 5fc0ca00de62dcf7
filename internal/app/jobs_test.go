package app

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/caravan-crm/caravan/internal/clock"
	"github.com/caravan-crm/caravan/internal/httpapi"
)

// Automatic approval changes conversions every replica shares: it must run once per cluster (a
// lease), never once per replica, or two replicas would approve and audit the same conversions.
func TestHeldConversionsAreApprovedByAOncePerClusterJob(t *testing.T) {
	deps := httpapi.Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var found bool
	for _, j := range Jobs(deps, clock.NewManual(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))) {
		if j.Name != "approve-held-conversions" {
			continue
		}
		if found {
			t.Fatal("approve-held-conversions is registered twice")
		}
		found = true
		if !j.Once {
			t.Errorf("approve-held-conversions has Once unset: every replica would run it")
		}
		if j.Every <= 0 || j.Every > time.Hour {
			t.Errorf("approve-held-conversions runs every %v, want at least hourly", j.Every)
		}
		if j.Run == nil {
			t.Fatal("approve-held-conversions has no Run")
		}
		if err := j.Run(context.Background()); err != nil { // without a conversion service: nothing to do
			t.Errorf("run without services: %v", err)
		}
	}
	if !found {
		t.Fatal("no approve-held-conversions job")
	}
}
