package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot/pagejson"
)

// request describes one API call. Services build requests; only do sends them.
type request struct {
	method string
	path   string
	query  url.Values
	body   any
	family string
	// idempotent calls may be re-sent after an ambiguous failure (the server may have
	// processed them); batch create and association create may not.
	idempotent bool
	// layout has record pages read with properties by position (see Object.Values).
	layout *pagejson.Layout
}

func (r request) search() bool { return r.family == familySearch }

// call sends r and decodes a success body (see decodeBody) into a fresh T on each attempt, so a
// truncated body from a failed attempt never leaks into the result.
func call[T any](ctx context.Context, c *Client, r request) (T, int, error) {
	var out T
	status, err := c.do(ctx, r, func(body []byte) error {
		var v T
		if err := decodeBody(body, &v, r.layout); err != nil {
			return err
		}
		out = v
		return nil
	})
	return out, status, err
}

// decodeBody fills v from a success body: record pages with the page decoder (see pagejson),
// everything else with encoding/json.
func decodeBody(body []byte, v any, l *pagejson.Layout) error {
	if page, ok := v.(pagejson.Page); ok {
		return pagejson.Decode(body, page, l)
	}
	return json.Unmarshal(body, v)
}

// layoutOf lays out a request's property names when records are read by position, else nil.
func layoutOf(byPosition bool, names []string) *pagejson.Layout {
	if !byPosition {
		return nil
	}
	return pagejson.NewLayout(names)
}

// send is call for requests whose success body carries nothing (archive answers 204).
func send(ctx context.Context, c *Client, r request) error {
	_, err := c.do(ctx, r, nil)
	return err
}

// do is the single request path: it takes a limiter slot per attempt, retries what is safe to
// retry within the retry policy and returns the final HTTP status.
func (c *Client) do(ctx context.Context, r request, decode func([]byte) error) (int, error) {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return 0, fmt.Errorf("encode %s %s: %w", r.method, r.path, err)
		}
	}
	bo := c.newBackOff()
	start := c.clock.Now()
	refreshed := false
	for attempt := 1; ; attempt++ {
		res := c.attempt(ctx, r, payload, decode, attempt)
		if res.err == nil {
			return res.status, nil
		}
		if ctx.Err() != nil {
			if res.kind == failAmbiguous && !r.idempotent {
				return res.status, c.finalError(r, res)
			}
			return res.status, fmt.Errorf("hubspot: %s %s: %w", r.method, r.path, ctx.Err())
		}
		if res.kind == failExpiredAuth && !refreshed && c.auth != nil && c.auth.invalidate(res.token) {
			refreshed = true
			c.stats.retries.Add(1)
			c.debug(ctx, "hubspot: access token expired, refreshing", r, attempt, 0, res.err)
			continue
		}
		ok, wait := retryable(r, res)
		if !ok {
			return res.status, c.finalError(r, res)
		}
		if attempt >= c.retry.MaxAttempts {
			return res.status, fmt.Errorf("giving up after %d attempts: %w", attempt, c.finalError(r, res))
		}
		if wait, ok = c.nextWait(bo, start, wait); !ok {
			return res.status, fmt.Errorf("giving up after %d attempts within %s: %w", attempt, c.retry.MaxElapsed, c.finalError(r, res))
		}
		c.debug(ctx, "hubspot: retrying", r, attempt, wait, res.err, "status", res.status)
		if err := sleep(ctx, c.clock, wait); err != nil {
			return res.status, fmt.Errorf("hubspot: %s %s: %w", r.method, r.path, err)
		}
		c.stats.retries.Add(1)
	}
}

// failure classifies a failed attempt for the retry decision.
type failure int

const (
	failPermanent   failure = iota // validation, auth, not found: never retried
	failNotSent                    // the request never reached the wire: always safe to retry
	failAmbiguous                  // sent, then no reliable answer: retried only when idempotent
	failThrottled                  // 429, 423, 477: the server refused without processing
	failExpiredAuth                // 401 EXPIRED_AUTHENTICATION: refresh the token once
)

type attemptResult struct {
	status  int
	header  http.Header
	err     error
	kind    failure
	minWait time.Duration
	token   string
	// resent counts the times the transport itself re-sent the request on a fresh connection
	// after a reused one broke; each resend reached HubSpot as a failed attempt and a retry.
	resent int
}

// debug logs a retry or a wait of r's attempt n, always with the same keys so that lines can be
// filtered alike; the error is redacted.
func (c *Client) debug(ctx context.Context, msg string, r request, n int, wait time.Duration, err error, extra ...any) {
	attrs := append([]any{"method", r.method, "path", r.path, "attempt", n, "wait", wait}, extra...)
	if err != nil {
		attrs = append(attrs, "error", c.secrets.redact(err.Error()))
	}
	c.logger.DebugContext(ctx, msg, attrs...)
}

// attempt performs try n: credentials, limiter slot, HTTP exchange, body decoding.
func (c *Client) attempt(ctx context.Context, r request, payload []byte, decode func([]byte) error, n int) attemptResult {
	var token string
	if c.auth != nil {
		var err error
		if token, err = c.auth.token(ctx); err != nil {
			var transient *transientAuthError
			if errors.As(err, &transient) {
				return attemptResult{err: err, kind: failNotSent, minWait: transient.minWait}
			}
			return attemptResult{err: err, kind: failPermanent}
		}
	}
	waitStart := c.clock.Now()
	permit, err := c.limiter.Wait(ctx, r.search())
	if err != nil {
		return attemptResult{err: err, kind: failPermanent}
	}
	if waited := c.clock.Now().Sub(waitStart); waited > 0 {
		c.debug(ctx, "hubspot: waited for rate limit", r, n, waited, nil)
	}
	res := c.timedExchange(ctx, r, payload, token, decode)
	permit.Done(res.header)
	res.token = token

	if res.resent > 0 {
		c.debug(ctx, "hubspot: the connection broke and the transport re-sent the request", r, n, 0, nil, "resends", res.resent)
	}
	c.stats.count(r.family, 1+res.resent)
	c.stats.retries.Add(int64(res.resent))
	c.stats.errors.Add(int64(res.resent))
	if res.err != nil {
		c.stats.errors.Add(1)
	}
	if res.status == http.StatusTooManyRequests {
		c.stats.rateLimited.Add(1)
		var apiErr *APIError
		if errors.As(res.err, &apiErr) {
			c.limiter.backOff(apiErr.PolicyName, r.search())
		}
	}
	return res
}

// timedExchange runs exchange under the attempt timeout. An attempt cut by its own deadline,
// while ctx itself is still alive, fails like a broken connection, with an error naming the limit.
// An error status keeps its own classification: HubSpot did answer.
func (c *Client) timedExchange(ctx context.Context, r request, payload []byte, token string, decode func([]byte) error) attemptResult {
	if c.attemptTimeout <= 0 {
		return c.exchange(ctx, r, payload, token, decode)
	}
	attemptCtx, cancel := context.WithTimeout(ctx, c.attemptTimeout)
	defer cancel()
	res := c.exchange(attemptCtx, r, payload, token, decode)
	var apiErr *APIError
	if res.err != nil && !errors.As(res.err, &apiErr) && ctx.Err() == nil && errors.Is(attemptCtx.Err(), context.DeadlineExceeded) {
		res.err = fmt.Errorf("HubSpot did not answer within %s: %w", c.attemptTimeout, context.DeadlineExceeded)
		if res.kind != failNotSent {
			res.kind = failAmbiguous
		}
	}
	return res
}

// exchange sends the HTTP request and reads the answer through the body size limits.
func (c *Client) exchange(ctx context.Context, r request, payload []byte, token string, decode func([]byte) error) attemptResult {
	u := c.baseURL.String() + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	// A second connection taken before any answer arrived is the transport re-sending the
	// request; one taken after an answer is a redirect.
	var sent, connected, answered atomic.Bool
	var resends atomic.Int32
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) {
			if connected.Swap(true) && !answered.Load() {
				resends.Add(1)
			}
			answered.Store(false)
		},
		WroteHeaders:         func() { sent.Store(true) },
		GotFirstResponseByte: func() { answered.Store(true) },
	})
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return attemptResult{err: fmt.Errorf("build request: %w", err), kind: failPermanent}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.httpClient.Do(req)
	resent := int(resends.Load())
	if err != nil {
		kind := failAmbiguous
		if !sent.Load() {
			kind = failNotSent
		}
		return attemptResult{err: err, kind: kind, resent: resent}
	}
	defer resp.Body.Close()
	res := attemptResult{status: resp.StatusCode, header: resp.Header, resent: resent}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes)) // a cut error body still parses as text
		apiErr := newAPIError(resp.StatusCode, r.method, r.path, resp.Header, data, &c.secrets)
		res.err = apiErr
		res.kind, res.minWait = classifyStatus(apiErr)
		return res
	}
	data, err := c.readBody(resp)
	switch {
	case err != nil:
		res.err, res.kind = fmt.Errorf("read response body: %w", err), failAmbiguous
	case len(data) > maxSuccessBodyBytes:
		res.err, res.kind = fmt.Errorf("response body exceeds %d bytes", maxSuccessBodyBytes), failPermanent
	case decode != nil && resp.StatusCode != http.StatusNoContent:
		if err := decode(data); err != nil {
			res.err, res.kind = fmt.Errorf("decode response body: %w", err), decodeFailure(err)
		}
	}
	return res
}

// readBody reads a success body, up to one byte past the size limit, into one buffer sized for
// it: from Content-Length, or for a chunked answer from the previous body, since pages of a
// stream are alike. io.ReadAll would grow its buffer a dozen times for a 575 KB page.
func (c *Client) readBody(resp *http.Response) ([]byte, error) {
	size := resp.ContentLength
	if size < 0 {
		size = c.lastBodySize.Load()
	}
	var buf bytes.Buffer
	buf.Grow(int(min(size, maxSuccessBodyBytes)) + bytes.MinRead) // room for the read that sees EOF
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, maxSuccessBodyBytes+1))
	c.lastBodySize.Store(int64(buf.Len()))
	return buf.Bytes(), err
}

// decodeFailure treats a cut or malformed body as a transport fault worth retrying, and a body
// of the wrong shape as permanent.
func decodeFailure(err error) failure {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
		return failAmbiguous
	}
	return failPermanent
}
