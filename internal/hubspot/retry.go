package hubspot

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// lockedMinWait is HubSpot's advice for 423 Locked: wait at least two seconds.
const lockedMinWait = 2 * time.Second

// newBackOff returns the exponential backoff with jitter for one call, measured on the
// client's clock.
func (c *Client) newBackOff() *backoff.ExponentialBackOff {
	return backoff.NewExponentialBackOff(
		backoff.WithClockProvider(c.clock),
		backoff.WithInitialInterval(c.retry.InitialInterval),
		backoff.WithMaxInterval(c.retry.MaxInterval),
		backoff.WithMaxElapsedTime(c.retry.MaxElapsed),
	)
}

// nextWait returns the wait before the next attempt: the backoff's next interval or least,
// whichever is longer. It reports false when that wait would pass the policy's MaxElapsed.
func (c *Client) nextWait(bo *backoff.ExponentialBackOff, start time.Time, least time.Duration) (time.Duration, bool) {
	next := bo.NextBackOff()
	if next == backoff.Stop {
		return 0, false
	}
	wait := max(next, least)
	return wait, c.clock.Now().Sub(start)+wait <= c.retry.MaxElapsed
}

// classifyStatus decides how an error status may be retried and the least wait before it.
func classifyStatus(e *APIError) (failure, time.Duration) {
	switch e.StatusCode {
	case http.StatusTooManyRequests:
		if e.PolicyName == policyDaily {
			return failPermanent, 0
		}
		return failThrottled, e.RetryAfter
	case http.StatusLocked:
		return failThrottled, max(lockedMinWait, e.RetryAfter)
	case 477: // HubSpot: migration in progress, comes with Retry-After
		return failThrottled, e.RetryAfter
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout, 521, 523, 524:
		return failAmbiguous, e.RetryAfter
	case http.StatusUnauthorized:
		if e.Category == categoryExpiredAuth {
			return failExpiredAuth, 0
		}
	}
	return failPermanent, 0
}

// retryable reports whether a failed attempt of r may be sent again and the least wait.
func retryable(r request, res attemptResult) (bool, time.Duration) {
	switch res.kind {
	case failNotSent:
		return true, res.minWait
	case failThrottled:
		return true, res.minWait
	case failAmbiguous:
		return r.idempotent, res.minWait
	default:
		return false, 0
	}
}

// finalError is the error a call returns for its last failed attempt.
func (c *Client) finalError(r request, res attemptResult) error {
	if res.kind == failAmbiguous && !r.idempotent {
		return &AmbiguousWriteError{Method: r.method, Path: r.path, Err: res.err}
	}
	var apiErr *APIError
	if errors.As(res.err, &apiErr) {
		if apiErr.StatusCode == http.StatusTooManyRequests && apiErr.PolicyName == policyDaily {
			return fmt.Errorf("%w: %w", ErrDailyBudgetExhausted, apiErr)
		}
		return apiErr
	}
	var authErr *AuthError
	if errors.As(res.err, &authErr) {
		return authErr
	}
	return fmt.Errorf("hubspot: %s %s: %w", r.method, r.path, res.err)
}
