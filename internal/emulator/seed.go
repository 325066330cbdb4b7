package emulator

import (
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Seeded data is never stored: every value is a pure function of (seed, salt, record id), so a portal
// of a million contacts costs only its compact index. These helpers are that function's building blocks.

// mix is the splitmix64 finalizer: a cheap, well-distributed 64-bit permutation.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hash3 combines three words into one well-mixed hash.
func hash3(a, b, c uint64) uint64 {
	return mix(a ^ mix(b+0x9e3779b97f4a7c15^mix(c)))
}

// strHash gives a stable salt for a name.
func strHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return mix(h.Sum64())
}

const (
	dayMs        = int64(24 * time.Hour / time.Millisecond)
	seedSpanMs   = 3 * 365 * dayMs
	minuteMs     = int64(time.Minute / time.Millisecond)
	burstBlock   = 300    // records per bulk-import burst
	burstEvery   = 5      // one block in this many is a burst
	bigBurstSize = 12_000 // a single burst larger than the search cap, in big tables
	bigBurstMin  = 100_000
)

// seedRecords lays out n records: ids ascending with creation order and spanning 4-5 digit and
// 9-12 digit values (so text order differs from numeric order), creation times spread over three
// years before start, last-modified times after creation, and bulk-import bursts where hundreds
// of records (thousands in big tables) share one identical last-modified value.
func seedRecords(seed, salt uint64, n int, start int64) []rec {
	recs := make([]rec, n)
	small := min(n/20, 2000)
	if n >= 2 {
		small = max(small, 1)
	}
	var prev uint64
	first := start - seedSpanMs
	last := start - dayMs
	for i := range recs {
		h := hash3(seed, salt, uint64(i))
		var id uint64
		if i < small {
			id = 1000 + uint64(i)*40 + h%40
		} else {
			frac := float64(i-small) / float64(max(n-small, 1))
			id = uint64(1e8*math.Pow(10, 3.95*frac)) + h%1000
		}
		id = max(id, prev+1+(h>>20)%7)
		prev = id
		created := first + (last-first)*int64(i)/int64(max(n, 1)) + int64((h>>32)%uint64(max((last-first)/int64(max(n, 1)), 1)))
		if i > 0 {
			created = max(created, recs[i-1].created)
		}
		room := start - minuteMs - created
		var updated int64
		if (h>>8)%2 == 0 {
			updated = created + int64((h>>24)%uint64(min(room, dayMs)+1))
		} else {
			updated = created + int64((h>>16)%uint64(room+1))
		}
		recs[i] = rec{id: id, created: created, updated: updated, seeded: true}
	}
	for _, b := range burstRanges(n) {
		latest := recs[b[1]-1].created
		h := hash3(seed, salt^0xb0b, uint64(b[0]))
		at := latest + int64(h%uint64(start-minuteMs-latest+1))
		for i := b[0]; i < b[1]; i++ {
			recs[i].updated = at
		}
	}
	return recs
}

// burstRanges returns the [lo, hi) position ranges whose records were "bulk imported" together.
func burstRanges(n int) [][2]int {
	var out [][2]int
	for b := 0; (b+1)*burstBlock <= n; b++ {
		if b%burstEvery == 0 {
			out = append(out, [2]int{b * burstBlock, (b + 1) * burstBlock})
		}
	}
	if n >= bigBurstMin {
		lo := n/2 - n/2%burstBlock
		out = append(out, [2]int{lo, lo + bigBurstSize})
	}
	return out
}

// isoMillis formats epoch milliseconds the way HubSpot does: ISO 8601 UTC with milliseconds.
func isoMillis(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// lastDigits extracts the last run of digits before any '@': seeded unique values (emails,
// external ids) embed the record id that way, so they can be looked up without an index.
func lastDigits(v string) (uint64, bool) {
	if at := strings.IndexByte(v, '@'); at >= 0 {
		v = v[:at]
	}
	end := len(v)
	for end > 0 && (v[end-1] < '0' || v[end-1] > '9') {
		end--
	}
	begin := end
	for begin > 0 && v[begin-1] >= '0' && v[begin-1] <= '9' {
		begin--
	}
	if begin == end {
		return 0, false
	}
	n, err := strconv.ParseUint(v[begin:end], 10, 64)
	return n, err == nil
}

var (
	firstNames = []string{"Ava", "Liam", "Olivia", "Noah", "Emma", "Mateo", "Sofia", "Lucas", "Mia", "Ethan",
		"Amelia", "Hiro", "Priya", "Omar", "Chloe", "Jonas", "Ingrid", "Diego", "Fatima", "Wei", "Zoe", "Kofi",
		"Anya", "Leon", "Maya", "Ravi", "Elena", "Tariq", "Hana", "Marco"}
	lastNames = []string{"Smith", "Garcia", "Müller", "Nguyen", "Okafor", "Johansson", "Rossi", "Tanaka",
		"Kowalski", "Dubois", "Patel", "O'Brien", "Silva", "Cohen", "Larsen", "Novak", "Haddad", "Kim",
		"Fischer", "Moreau", "Brown", "Singh", "Costa", "Yilmaz", "Ivanova", "Walker", "Lopez", "Chen"}
	companyWords = []string{"Bright", "Wave", "North", "Peak", "Blue", "Harbor", "Iron", "Cedar", "Nova",
		"Quantum", "Summit", "Atlas", "Vertex", "Pioneer", "Silver", "Maple", "Orbit", "Crescent", "Falcon",
		"Granite", "Lumen", "Echo", "Aurora", "Beacon"}
	companySuffixes = []string{"Labs", "Systems", "Logistics", "Foods", "Health", "Analytics", "Media",
		"Energy", "Robotics", "Capital", "Works", "Studio"}
	tlds       = []string{"com", "io", "co", "net", "dev", "org"}
	cities     = []string{"Boston", "Dublin", "Berlin", "Austin", "Toronto", "Sydney", "Singapore", "Paris", "Denver", "Tokyo", "São Paulo", "Nairobi"}
	states     = []string{"MA", "CA", "NY", "TX", "WA", "CO", "IL", "FL", "OR", "GA"}
	countries  = []string{"United States", "Ireland", "Germany", "Canada", "Australia", "Singapore", "France", "Japan", "Brazil", "Kenya"}
	jobTitles  = []string{"CEO", "CTO", "VP Sales", "Marketing Manager", "Data Engineer", "Account Executive", "Office Manager", "Head of Support", "Product Manager", "Procurement Lead"}
	loremWords = []string{"quarterly", "review", "pricing", "renewal", "onboarding", "follow", "up", "demo", "contract",
		"budget", "timeline", "integration", "migration", "support", "feedback", "proposal", "meeting", "call",
		"discussed", "next", "steps", "invoice", "security", "questionnaire", "pilot", "rollout", "training",
		"ticket", "escalation", "roadmap", "café", "naïve", "résumé", "“quoted”", "emoji 🚀"}
)

// companyName derives a company-like name; the same h always gives the same name.
func companyName(h uint64) string {
	return companyWords[h%uint64(len(companyWords))] + companyWords[(h>>8)%uint64(len(companyWords))] + " " +
		companySuffixes[(h>>16)%uint64(len(companySuffixes))]
}

// domainFor turns a company name into a plausible domain.
func domainFor(name string, h uint64) string {
	base := strings.ToLower(strings.Fields(name)[0])
	return base + "." + tlds[(h>>24)%uint64(len(tlds))]
}

// sentence derives a short text of n words.
func sentence(h uint64, n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = loremWords[mix(h+uint64(i))%uint64(len(loremWords))]
	}
	first, size := utf8.DecodeRuneInString(words[0])
	words[0] = string(unicode.ToUpper(first)) + words[0][size:]
	return strings.Join(words, " ") + "."
}
