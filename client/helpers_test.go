package client_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

// portal is an emulated HubSpot portal with a state file, synced through the real plugin.
type portal struct {
	t     *testing.T
	emu   *emulator.Emulator
	url   string
	state string
}

func newPortal(t *testing.T, cfg emulator.Config) *portal {
	t.Helper()
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	return &portal{t: t, emu: emu, url: srv.URL, state: filepath.Join(t.TempDir(), "state.json")}
}

// spec is a spec for this portal with extra fields merged in (a nil value removes a field).
func (p *portal) spec(extra map[string]any) []byte {
	s := map[string]any{"access_token": p.emu.Token(), "base_url": p.url, "settle_lag": "1s",
		"rate_limit": map[string]int{"burst_per_10s": 250}}
	maps.Copy(s, extra)
	maps.DeleteFunc(s, func(_ string, v any) bool { return v == nil })
	b, err := json.Marshal(s)
	if err != nil {
		p.t.Fatal(err)
	}
	return b
}

// sync runs one sync of the named tables with the portal's state file.
func (p *portal) sync(spec []byte, tables ...string) (message.SyncMessages, error) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pl := hsplugin.Plugin(client.WithLocalState(p.state))
	if err := pl.Init(ctx, spec, plugin.NewClientOptions{}); err != nil {
		return nil, err
	}
	defer pl.Close(ctx)
	return pl.SyncAll(ctx, plugin.SyncOptions{Tables: tables})
}

func (p *portal) mustSync(spec []byte, tables ...string) message.SyncMessages {
	p.t.Helper()
	msgs, err := p.sync(spec, tables...)
	if err != nil {
		p.t.Fatalf("sync: %v", err)
	}
	return msgs
}

// row is what the destination keeps of an object record.
type row struct {
	updatedMs int64
	archived  bool
}

// objectRows collects a table's rows from sync messages by id, failing on an id sent twice.
func objectRows(t *testing.T, msgs message.SyncMessages, table string) map[string]row {
	t.Helper()
	out := map[string]row{}
	for _, rec := range insertsFor(msgs, table) {
		ids := arrowtest.Column[*array.Int64](t, rec, "id")
		updated := arrowtest.Column[*array.Timestamp](t, rec, "updated_at")
		archived := arrowtest.Column[*array.Boolean](t, rec, "archived")
		for i := range int(rec.NumRows()) {
			id := strconv.FormatInt(ids.Value(i), 10)
			if _, dup := out[id]; dup {
				t.Errorf("%s: id %s sent twice in one sync", table, id)
			}
			out[id] = row{updatedMs: int64(updated.Value(i)), archived: archived.IsValid(i) && archived.Value(i)}
		}
	}
	return out
}

func insertsFor(msgs message.SyncMessages, table string) []arrow.Record {
	var out []arrow.Record
	for _, ins := range msgs.GetInserts() {
		if name, _ := ins.Record.Schema().Metadata().GetValue(schema.MetadataTableName); name == table {
			out = append(out, ins.Record)
		}
	}
	return out
}
