package client

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cloudquery/plugin-sdk/v4/state"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// dailyUsage is a portal's request count of one UTC day as kept in the state, so that
// rate_limit.daily_budget holds across the runs of a day rather than per run.
type dailyUsage struct {
	Day      string `json:"day"` // "2006-01-02", UTC
	Requests int    `json:"requests"`
}

func (p *PortalClient) dailyUsageKey() string { return p.Name + "/rate_limit/daily_usage" }

// restoreDailyUsage adds the requests earlier runs of today spent to the portal's limiter, once
// per client: discovery requests made before it are already counted, and a later Sync of the same client
// shares the limiter's count.
func (p *PortalClient) restoreDailyUsage(ctx context.Context, store state.Client) error {
	if p.usageRestored {
		return nil
	}
	raw, err := store.GetKey(ctx, p.dailyUsageKey())
	if err != nil {
		return fmt.Errorf("portal %s: read daily usage: %w", p.Name, err)
	}
	if raw != "" {
		var u dailyUsage
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			return fmt.Errorf("portal %s: state key %s holds %q, not a daily usage (%v): remove the key to count today from zero",
				p.Name, p.dailyUsageKey(), raw, err)
		}
		if p.limiter.RestoreDailyUsage(hubspot.DailyUsage{Day: u.Day, Requests: u.Requests}) {
			p.logger.Debug().Str("day", u.Day).Int("requests", u.Requests).Msg("restored today's request count from the state")
		}
	}
	p.usageRestored = true
	return nil
}

// saveDailyUsage puts the portal's request count of today in the state; the caller flushes.
func (p *PortalClient) saveDailyUsage(ctx context.Context, store state.Client) error {
	u := p.limiter.DailyUsage()
	raw, err := json.Marshal(dailyUsage{Day: u.Day, Requests: u.Requests})
	if err != nil {
		return fmt.Errorf("portal %s: encode daily usage: %w", p.Name, err)
	}
	if err := store.SetKey(ctx, p.dailyUsageKey(), string(raw)); err != nil {
		return fmt.Errorf("portal %s: save daily usage: %w", p.Name, err)
	}
	return nil
}
