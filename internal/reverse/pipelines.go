package reverse

import (
	"strings"
	"sync"
	"unicode"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// autoThreshold is the similarity below which `auto` refuses to pair a value with a label.
const autoThreshold = 0.5

// pipelineResolver translates a row's pipeline and stage values into HubSpot's ids.
type pipelineResolver struct {
	pipelines []hubspot.Pipeline
	cfg       PipelineRules
	props     [2]string // pipeline and stage property names

	mu     sync.Mutex
	chosen map[string]Choice // auto pairs, by "pipeline:value" or "stage:pipeline id:value"
}

// Choice is one pair `auto` picked: a row value and the label it maps to, with their similarity.
type Choice struct {
	Kind, Value, Label, ID string
	Score                  float64
}

func newPipelineResolver(ps []hubspot.Pipeline, cfg PipelineRules, props [2]string) *pipelineResolver {
	var live []hubspot.Pipeline
	for _, p := range ps {
		if !p.Archived {
			live = append(live, p)
		}
	}
	return &pipelineResolver{pipelines: live, cfg: cfg, props: props, chosen: map[string]Choice{}}
}

// candidate is a pipeline or stage to match against.
type candidate struct{ id, label string }

// resolve returns the pipeline and stage ids for a row's values (either may be empty), and
// whether a mapping was found for every value given. A stage without a pipeline is looked for
// in every pipeline, and its pipeline is returned with it.
func (r *pipelineResolver) resolve(pipeline, stage string) (string, string, bool) {
	pipeline, stage = strings.TrimSpace(pipeline), strings.TrimSpace(stage)
	var pl *hubspot.Pipeline
	if pipeline != "" {
		cands := make([]candidate, len(r.pipelines))
		for i, p := range r.pipelines {
			cands[i] = candidate{p.ID, p.Label}
		}
		i := r.pick("pipeline", "", pipeline, cands)
		if i < 0 {
			return "", "", false
		}
		pl = &r.pipelines[i]
	}
	if stage == "" {
		if pl == nil {
			return "", "", true
		}
		return pl.ID, "", true
	}
	scope := r.pipelines
	if pl != nil {
		scope = []hubspot.Pipeline{*pl}
	}
	var cands []candidate
	var owners []int
	for i, p := range scope {
		for _, s := range p.Stages {
			if !s.Archived {
				cands = append(cands, candidate{s.ID, s.Label})
				owners = append(owners, i)
			}
		}
	}
	scopeKey := ""
	if pl != nil {
		scopeKey = pl.ID
	}
	j := r.pick("stage", scopeKey, stage, cands)
	if j < 0 {
		return "", "", false
	}
	return scope[owners[j]].ID, cands[j].id, true
}

// pick finds the candidate for value: an explicit map entry first, then by id, label or (auto)
// similarity. It returns -1 when nothing fits.
func (r *pipelineResolver) pick(kind, scope, value string, cands []candidate) int {
	if target, ok := r.cfg.Map[value]; ok {
		value = target
		if i := exactMatch(cands, value, true); i >= 0 {
			return i
		}
		return -1
	}
	switch r.cfg.Match {
	case PipelinesByID:
		return exactMatch(cands, value, false)
	case PipelinesByLabel:
		return exactMatch(cands, value, true)
	}
	if i := exactMatch(cands, value, true); i >= 0 {
		return i
	}
	best, score := -1, autoThreshold
	for i, c := range cands {
		if s := similarity(value, c.label); s >= score && (best < 0 || s > score) {
			best, score = i, s
		}
	}
	if best >= 0 {
		r.remember(Choice{Kind: kind, Value: value, Label: cands[best].label, ID: cands[best].id, Score: score}, scope)
	}
	return best
}

func (r *pipelineResolver) remember(c Choice, scope string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.chosen[c.Kind+":"+scope+":"+c.Value] = c
}

// Choices returns the pairs `auto` chose so far.
func (r *pipelineResolver) Choices() []Choice {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Choice, 0, len(r.chosen))
	for _, c := range r.chosen {
		out = append(out, c)
	}
	return out
}

// exactMatch finds a candidate by id, or also by label without case.
func exactMatch(cands []candidate, value string, byLabel bool) int {
	for i, c := range cands {
		if c.id == value || (byLabel && strings.EqualFold(c.label, value)) {
			return i
		}
	}
	return -1
}

// similarity scores two texts in [0, 1]: the better of shared words and shared character pairs
// (Dice coefficients), ignoring case and punctuation, so "closed-won" pairs with "Closed Won".
func similarity(a, b string) float64 {
	wa, wb := words(a), words(b)
	joinedA, joinedB := strings.Join(wa, ""), strings.Join(wb, "")
	if joinedA == joinedB {
		return 1
	}
	return max(dice(wa, wb), dice(bigrams(joinedA), bigrams(joinedB)))
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func bigrams(s string) []string {
	r := []rune(s)
	out := make([]string, 0, len(r))
	for i := 0; i+1 < len(r); i++ {
		out = append(out, string(r[i:i+2]))
	}
	return out
}

// dice is the Dice coefficient of two multisets.
func dice(a, b []string) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	count := map[string]int{}
	for _, x := range a {
		count[x]++
	}
	shared := 0
	for _, y := range b {
		if count[y] > 0 {
			count[y]--
			shared++
		}
	}
	return 2 * float64(shared) / float64(len(a)+len(b))
}
