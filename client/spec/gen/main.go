// Command gen writes client/spec/schema.json from the Spec type's fields and doc comments.
package main

import (
	"encoding/json"
	"log"
	"os"

	"github.com/invopop/jsonschema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: gen OUTPUT.json")
	}
	r := jsonschema.Reflector{DoNotReference: false, RequiredFromJSONSchemaTags: true}
	if err := r.AddGoComments("github.com/hubspot-cq/cq-plugin-hubspot", "./client/spec"); err != nil {
		log.Fatal(err)
	}
	s := r.Reflect(&spec.Spec{})
	out, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(os.Args[1], append(out, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}
