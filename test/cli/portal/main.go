// Command portal is the Go side of test/cli/converge.sh: it changes an emulated portal through
// HubSpot's public API and prints HubSpot's live set, one row a line, for the script to compare
// with what a database holds. The token comes from HUBSPOT_ACCESS_TOKEN and is never printed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/test/cli/converge"
)

const usage = `usage: portal [-url EMULATOR_URL] COMMAND
  change                         one round of changes through HubSpot's public API
  filter                         the filtered variant's contacts filter, as spec JSON
  gated-filter                   the same with the portal's MANUAL list of contacts as a list gate
  records OBJECT [FILTER_JSON]   ids of the live records (matching the filter), one a line
  associations FROM TO           live associations as from_id<TAB>to_id<TAB>type_id, one a line
  memberships                    members of every list as list_id<TAB>record_id, one a line
The access token is read from HUBSPOT_ACCESS_TOKEN.
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("portal", flag.ContinueOnError)
	url := fs.String("url", "", "base URL of the emulator, such as http://127.0.0.1:8080")
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	cmd, rest := fs.Arg(0), fs.Args()[min(1, fs.NArg()):]
	if cmd == "filter" && len(rest) == 0 {
		return json.NewEncoder(stdout).Encode(converge.Filter())
	}
	token := os.Getenv("HUBSPOT_ACCESS_TOKEN")
	if *url == "" || token == "" || fs.NArg() == 0 {
		return errors.New("give -url, a command, and the token in HUBSPOT_ACCESS_TOKEN (-h lists the commands)")
	}
	p, err := converge.NewPortal(*url, token)
	if err != nil {
		return err
	}
	switch {
	case cmd == "change" && len(rest) == 0:
		round, err := p.Change(ctx)
		for _, m := range round.Merges {
			fmt.Fprintf(stdout, "merged %s %d into %d\n", m.Object, m.Away, m.Into)
		}
		return err
	case cmd == "gated-filter" && len(rest) == 0:
		f, err := p.GatedFilter(ctx)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(f)
	case cmd == "records" && (len(rest) == 1 || len(rest) == 2):
		var filter *spec.RecordFilter
		if len(rest) == 2 {
			if err := json.Unmarshal([]byte(rest[1]), &filter); err != nil {
				return fmt.Errorf("records: filter %q: %w; give the spec's filters.<object> value as JSON", rest[1], err)
			}
		}
		ids, err := p.LiveIDs(ctx, rest[0], filter)
		for _, id := range ids {
			fmt.Fprintln(stdout, id)
		}
		return err
	case cmd == "associations" && len(rest) == 2:
		links, err := p.Associations(ctx, rest[0], rest[1])
		for _, a := range links {
			fmt.Fprintf(stdout, "%d\t%d\t%d\n", a.FromID, a.ToID, a.TypeID)
		}
		return err
	case cmd == "memberships" && len(rest) == 0:
		members, err := p.Memberships(ctx)
		for _, m := range members {
			fmt.Fprintf(stdout, "%s\t%d\n", m.ListID, m.RecordID)
		}
		return err
	}
	return fmt.Errorf("unknown command or arguments %q (-h lists the commands)", fs.Args())
}
