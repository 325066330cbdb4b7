package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// sysKind marks the properties whose values live in the compact record index rather than being
// derived or overridden; search on them uses sorted indexes.
type sysKind uint8

const (
	sysNone sysKind = iota
	sysID
	sysCreated
	sysModified
)

// option is one enumeration choice.
type option struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// generator derives one property value for one seeded record.
type generator func(g gen) string

// propDef is one property definition: what the properties API shows and how values are derived
// and validated.
type propDef struct {
	name, label, typ, fieldType, group, description string
	options                                         []option
	calculated, unique, hidden, readOnly, custom    bool
	uniqueHidden                                    bool // enforced and usable as idProperty, yet hasUniqueValue false (contact email)
	referencedObjectType                            string
	sys                                             sysKind
	fill                                            uint64 // percent of seeded records with a value
	gen                                             generator
	salt                                            uint64
	index                                           int
}

// propKind bundles HubSpot's (type, fieldType) pairs.
type propKind struct{ typ, fieldType string }

var (
	kText     = propKind{"string", "text"}
	kTextarea = propKind{"string", "textarea"}
	kNumber   = propKind{"number", "number"}
	kBool     = propKind{"bool", "booleancheckbox"}
	kDate     = propKind{"date", "date"}
	kDatetime = propKind{"datetime", "date"}
	kSelect   = propKind{"enumeration", "select"}
	kRadio    = propKind{"enumeration", "radio"}
	kCheckbox = propKind{"enumeration", "checkbox"}
	kPhone    = propKind{"phone_number", "phonenumber"}
)

func prop(name, label string, k propKind) *propDef {
	return &propDef{name: name, label: label, typ: k.typ, fieldType: k.fieldType, fill: 60}
}

func (p *propDef) withGen(g generator) *propDef       { p.gen = g; return p }
func (p *propDef) withFill(pct uint64) *propDef       { p.fill = pct; return p }
func (p *propDef) withOptions(o []option) *propDef    { p.options = o; return p }
func (p *propDef) readonly() *propDef                 { p.readOnly = true; return p }
func (p *propDef) calc() *propDef                     { p.calculated, p.readOnly = true, true; return p }
func (p *propDef) withUnique() *propDef               { p.unique = true; return p }
func (p *propDef) withIDKey() *propDef                { p.unique, p.uniqueHidden = true, true; return p }
func (p *propDef) withSys(s sysKind) *propDef         { p.sys, p.readOnly, p.fill = s, true, 100; return p }
func (p *propDef) withRef(objectType string) *propDef { p.referencedObjectType = objectType; return p }

// opts builds options from values; labels are the values made readable.
func opts(values ...string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		label := strings.ReplaceAll(strings.ToLower(v), "_", " ")
		out[i] = option{Label: strings.ToUpper(label[:1]) + label[1:], Value: v, DisplayOrder: i}
	}
	return out
}

func (p *propDef) optionValues() map[string]bool {
	m := make(map[string]bool, len(p.options))
	for _, o := range p.options {
		m[o.Value] = true
	}
	return m
}

// gen is the derivation context of one (record, property) pair.
type gen struct {
	t   *table
	pos int32
	r   *rec
	h   uint64
}

// n returns a value in [0, k) from the i-th derived random word.
func (g gen) n(i, k uint64) uint64 { return mix(g.h+i) % k }

func (g gen) pick(list []string) string { return list[g.n(0, uint64(len(list)))] }

// other derives another property of the same record, ignoring fill rates (consistency between
// properties, e.g. email built from first and last name).
func (g gen) other(name string) string {
	p := g.t.typ.propByName[name]
	if p == nil {
		return ""
	}
	return g.t.derivedRaw(g.pos, p)
}

// Default generators by type, used when a property names none.

func genByType(p *propDef) generator {
	switch {
	case p.typ == "number":
		counts := strings.HasPrefix(p.name, "num_") || strings.Contains(p.name, "_num_")
		return func(g gen) string {
			if counts || g.n(1, 3) == 0 {
				return strconv.FormatUint(g.n(2, 1000), 10)
			}
			return strconv.FormatFloat(float64(g.n(2, 1_000_000))/100, 'f', -1, 64)
		}
	case p.typ == "bool":
		return func(g gen) string { return strconv.FormatBool(g.n(1, 2) == 0) }
	case p.typ == "date":
		return func(g gen) string {
			return time.UnixMilli(g.r.created + int64(g.n(1, 400))*dayMs - 200*dayMs).UTC().Format(time.DateOnly)
		}
	case p.typ == "datetime":
		return func(g gen) string {
			return isoMillis(g.r.created + int64(g.n(1, uint64(g.r.updated-g.r.created+1))))
		}
	case p.fieldType == "checkbox":
		return func(g gen) string {
			var picked []string
			for i, o := range p.options {
				if g.n(uint64(i)+1, 3) == 0 {
					picked = append(picked, o.Value)
				}
			}
			if len(picked) == 0 {
				picked = append(picked, p.options[g.n(9, uint64(len(p.options)))].Value)
			}
			return strings.Join(picked, ";")
		}
	case p.typ == "enumeration":
		return func(g gen) string { return p.options[g.n(1, uint64(len(p.options)))].Value }
	case p.typ == "phone_number":
		return genPhone
	case p.fieldType == "textarea":
		return func(g gen) string { return sentence(g.h, 6+int(g.n(1, 20))) + "\n" + sentence(g.h^1, 5) }
	default:
		return func(g gen) string { return sentence(g.h, 1+int(g.n(1, 4))) }
	}
}

func genPhone(g gen) string {
	return fmt.Sprintf("+1 %03d-%03d-%04d", 200+g.n(1, 700), g.n(2, 1000), g.n(3, 10000))
}

func genFirst(g gen) string { return g.pick(firstNames) }
func genLast(g gen) string  { return g.pick(lastNames) }
func genCity(g gen) string  { return g.pick(cities) }
func genState(g gen) string { return g.pick(states) }
func genCountry(g gen) string {
	return g.pick(countries)
}
func genJob(g gen) string     { return g.pick(jobTitles) }
func genCompany(g gen) string { return companyName(g.h) }
func genZip(g gen) string     { return fmt.Sprintf("%05d", g.n(1, 100000)) }

// genUnique embeds the record id so that the value is unique and can be resolved back to it.
func genUnique(prefix string) generator {
	return func(g gen) string { return prefix + strconv.FormatUint(g.r.id, 10) }
}

// genEmail builds a unique lowercase email from the record's names and id.
func genEmail(g gen) string {
	local := asciiLower(g.other("firstname") + "." + g.other("lastname"))
	return local + strconv.FormatUint(g.r.id, 10) + "@" + domainFor(companyName(g.h), g.h)
}

// asciiLower keeps only lowercase ASCII letters and dots, so derived emails are always valid.
func asciiLower(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || r == '.' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func genDomain(g gen) string {
	name := g.other("name")
	if name == "" {
		name = companyName(g.h)
	}
	return domainFor(name, g.h)
}

func genWebsite(g gen) string { return "https://www." + genDomain(g) }

// customKinds and customTopics generate portal-specific custom properties of every type.
var (
	customKinds = []struct {
		suffix string
		kind   propKind
	}{
		{"label", kText}, {"score", kNumber}, {"flag", kBool}, {"date", kDate}, {"at", kDatetime},
		{"level", kSelect}, {"tags", kCheckbox}, {"phone", kPhone}, {"notes", kTextarea}, {"choice", kRadio},
	}
	customTopics = []string{"region", "segment", "tier", "channel", "campaign", "partner", "renewal",
		"onboarding", "support", "billing", "territory", "product_line", "loyalty", "referral", "nps",
		"health", "risk", "contract", "quota", "survey", "webinar", "trial", "upsell", "compliance",
		"warranty", "shipping", "procurement", "event", "community", "certification"}
	customOptions = opts("alpha", "beta", "gamma", "delta", "epsilon")
)

// customProps tops a definition list up to target entries with custom properties of every type.
func customProps(existing []*propDef, target int) []*propDef {
	out := existing
	taken := map[string]bool{}
	for _, p := range existing {
		taken[p.name] = true
	}
	for i := 0; len(out) < target; i++ {
		k := customKinds[i%len(customKinds)]
		topic := customTopics[(i/len(customKinds))%len(customTopics)]
		name := topic + "_" + k.suffix
		if round := i / (len(customKinds) * len(customTopics)); round > 0 {
			name += strconv.Itoa(round + 1)
		}
		if taken[name] {
			continue
		}
		label := strings.ToUpper(name[:1]) + strings.ReplaceAll(name[1:], "_", " ")
		p := prop(name, label, k.kind)
		p.custom, p.group, p.fill = true, "custom_fields", 25+uint64(i*7%50)
		if k.kind.typ == "enumeration" {
			p.options = customOptions
		}
		out = append(out, p)
	}
	return out
}
