package emulator

import (
	"strconv"
)

// stage is one pipeline stage. Deals carry a probability, tickets a ticket state.
type stage struct {
	id, label   string
	probability string
	ticketState string
	closed, won bool
}

// pipeline is a deal or ticket pipeline with its ordered stages.
type pipeline struct {
	id, label string
	stages    []stage
}

// builtIn reports whether p is the default pipeline every portal starts with: "default" for
// deals, "0" for tickets.
func (p pipeline) builtIn() bool { return p.id == "default" || p.id == "0" }

// seedPipelines builds two deal pipelines and two ticket pipelines. The second pipeline of each
// kind has numeric ids, as pipelines created in a portal do.
func seedPipelines(seed uint64) map[string][]pipeline {
	num := func(i uint64) string { return strconv.FormatUint(10_000_000+hash3(seed, 0x919e, i)%90_000_000, 10) }
	deal := func(id, label, p string, closed, won bool) stage {
		return stage{id: id, label: label, probability: p, closed: closed, won: won}
	}
	ticket := func(id, label, state string) stage {
		return stage{id: id, label: label, ticketState: state, closed: state == "CLOSED"}
	}
	return map[string][]pipeline{
		"deals": {
			{id: "default", label: "Sales Pipeline", stages: []stage{
				deal("appointmentscheduled", "Appointment Scheduled", "0.2", false, false),
				deal("qualifiedtobuy", "Qualified To Buy", "0.4", false, false),
				deal("presentationscheduled", "Presentation Scheduled", "0.6", false, false),
				deal("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", false, false),
				deal("contractsent", "Contract Sent", "0.9", false, false),
				deal("closedwon", "Closed Won", "1.0", true, true),
				deal("closedlost", "Closed Lost", "0.0", true, false),
			}},
			{id: num(1), label: "Renewals", stages: []stage{
				deal(num(2), "Renewal Due", "0.5", false, false),
				deal(num(3), "Negotiation", "0.7", false, false),
				deal(num(4), "Renewed", "1.0", true, true),
				deal(num(5), "Churned", "0.0", true, false),
			}},
		},
		"tickets": {
			{id: "0", label: "Support Pipeline", stages: []stage{
				ticket("1", "New", "OPEN"),
				ticket("2", "Waiting on contact", "OPEN"),
				ticket("3", "Waiting on us", "OPEN"),
				ticket("4", "Closed", "CLOSED"),
			}},
			{id: num(6), label: "Onboarding", stages: []stage{
				ticket(num(7), "Kick-off", "OPEN"),
				ticket(num(8), "Configuration", "OPEN"),
				ticket(num(9), "Done", "CLOSED"),
			}},
		},
	}
}

// findStage returns the stage with the given id in any of the pipelines, and its pipeline.
func findStage(ps []pipeline, stageID string) (*pipeline, *stage) {
	for i := range ps {
		for j := range ps[i].stages {
			if ps[i].stages[j].id == stageID {
				return &ps[i], &ps[i].stages[j]
			}
		}
	}
	return nil, nil
}

// owner can own records: a user (PERSON) or a help-desk queue (QUEUE), which has no user id
// and no email.
type owner struct {
	id, userID, email, first, last string
	teamID, teamName               string
	created, updated               int64
	archived, queue                bool
}

const ownerCount, archivedOwners, queueEvery = 20, 2, 7

// seedOwners derives the portal's owners: a few active ones are queues, at positions that
// follow the seed; the last few are archived (deactivated users).
func seedOwners(seed uint64, start int64) []owner {
	queueOffset := int(seed % queueEvery)
	teams := []string{"Sales", "Support", "Success"}
	out := make([]owner, ownerCount+archivedOwners)
	for i := range out {
		h := hash3(seed, 0x0ee, uint64(i))
		first, last := firstNames[h%uint64(len(firstNames))], lastNames[(h>>8)%uint64(len(lastNames))]
		created := start - seedSpanMs - int64(h>>20)%(90*dayMs)
		out[i] = owner{
			id:       strconv.FormatUint(10_000_000+uint64(i)*7919+h%7919, 10),
			userID:   strconv.FormatUint(2_000_000+uint64(i)*131+h%131, 10),
			email:    asciiLower(first+"."+last) + strconv.Itoa(i) + "@emulated-portal.example",
			first:    first,
			last:     last,
			teamID:   strconv.Itoa(4000 + i%len(teams)),
			teamName: teams[i%len(teams)],
			created:  created,
			updated:  created + int64(h>>40)%(300*dayMs),
			archived: i >= ownerCount,
		}
		if i < ownerCount && (i+queueOffset)%queueEvery == 0 {
			o := &out[i]
			o.queue, o.userID, o.email, o.first, o.last = true, "", "", o.teamName+" queue", ""
		}
	}
	return out
}
